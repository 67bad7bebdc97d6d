import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FilterFollowedUseCase, GetRelationshipsUseCase, GetStatsUseCase, ListUserIdsUseCase } from '@graph/application';
import { GRAPH_LIMITS, parseUserId } from '@graph/domain';
import {
  GRAPH_RPC_PATTERNS,
  IdsPageReplyData,
  IsFollowingReplyData,
  RelationshipsReplyData,
  RpcReply,
  StatsReplyData,
} from '@graph/contracts';
import { relationshipJson, statsJson } from '../wire-format';
import { RpcErrorFilter } from './rpc-error.filter';
import { idList, optionalCursor, optionalLimit, payloadObject } from './rpc-payload';


/**
 * Request-reply for internal services (docs/kafka.md, "Request-reply"), served by the same use cases as
 * REST. Each handler validates its payload, calls one use case and answers `{data}`; every error
 * becomes `{error: {code, message}}` through RpcErrorFilter. Callers are trusted services, so the
 * id pages ignore privacy, as feed fan-out needs.
 */
@Controller()
@UseFilters(RpcErrorFilter)
export class GraphRpcController {
  constructor(
    private readonly relationships: GetRelationshipsUseCase,
    private readonly filterFollowed: FilterFollowedUseCase,
    private readonly userIds: ListUserIdsUseCase,
    private readonly stats: GetStatsUseCase,
  ) {}

  @MessagePattern(GRAPH_RPC_PATTERNS.relationships)
  async getRelationships(@Payload() payload: unknown): Promise<RpcReply<RelationshipsReplyData>> {
    const p = payloadObject(payload);
    const viewerId = parseUserId(p.viewer_id, 'viewer_id');
    const userIds = idList(p.user_ids, 'user_ids', GRAPH_LIMITS.relationshipIds);
    const result = await this.relationships.execute({ viewerId, userIds });
    return { data: result.map(relationshipJson) };
  }

  @MessagePattern(GRAPH_RPC_PATTERNS.isFollowing)
  async isFollowing(@Payload() payload: unknown): Promise<RpcReply<IsFollowingReplyData>> {
    const p = payloadObject(payload);
    const followerId = parseUserId(p.follower_id, 'follower_id');
    const candidateIds = idList(p.following_ids, 'following_ids', GRAPH_LIMITS.filterFollowedIds);
    return { data: { following_ids: await this.filterFollowed.execute({ followerId, candidateIds }) } };
  }

  @MessagePattern(GRAPH_RPC_PATTERNS.followerIds)
  async followerIds(@Payload() payload: unknown): Promise<RpcReply<IdsPageReplyData>> {
    return this.idsPage('followers', payload);
  }

  @MessagePattern(GRAPH_RPC_PATTERNS.followingIds)
  async followingIds(@Payload() payload: unknown): Promise<RpcReply<IdsPageReplyData>> {
    return this.idsPage('following', payload);
  }

  @MessagePattern(GRAPH_RPC_PATTERNS.stats)
  async getStats(@Payload() payload: unknown): Promise<RpcReply<StatsReplyData>> {
    const p = payloadObject(payload);
    const userIds = idList(p.user_ids, 'user_ids', GRAPH_LIMITS.statsIds);
    return { data: (await this.stats.execute({ userIds })).map(statsJson) };
  }

  private async idsPage(direction: 'followers' | 'following', payload: unknown): Promise<RpcReply<IdsPageReplyData>> {
    const p = payloadObject(payload);
    const page = await this.userIds.execute({
      userId: parseUserId(p.user_id, 'user_id'),
      direction,
      cursor: optionalCursor(p.cursor),
      limit: optionalLimit(p.limit, GRAPH_LIMITS.idsPageMax),
    });
    return { data: { user_ids: page.userIds, next_cursor: page.nextCursor } };
  }
}
