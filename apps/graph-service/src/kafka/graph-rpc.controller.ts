import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BlockExistsUseCase, FilterFollowedUseCase, GetRelationshipsUseCase, GetStatsUseCase, ListMutesUseCase, ListUserIdsUseCase } from '@graph/application';
import { GRAPH_LIMITS, TooManyIdsError, ValidationError, parseUserId } from '@graph/domain';
import {
  BlockExistsReplyData,
  GRAPH_RPC_PATTERNS,
  IdsPageReplyData,
  IsFollowingReplyData,
  MutedIdsReplyData,
  RelationshipsReplyData,
  RpcReply,
  StatsReplyData,
} from '@graph/contracts';
import { muteJson, relationshipJson, statsJson } from '../wire-format';
import { RpcErrorFilter } from './rpc-error.filter';
import { idList, optionalBoolean, optionalCursor, optionalInstant, optionalLimit, payloadObject } from './rpc-payload';


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
    private readonly mutes: ListMutesUseCase,
    private readonly blockExists: BlockExistsUseCase,
  ) {}

  @MessagePattern(GRAPH_RPC_PATTERNS.blockExists)
  async blockExistsBetween(@Payload() payload: unknown): Promise<RpcReply<BlockExistsReplyData>> {
    const p = payloadObject(payload);
    if (!Array.isArray(p.pairs)) throw new ValidationError('pairs must be an array of {user_id, other_id}', 'pairs');
    if (p.pairs.length > GRAPH_LIMITS.blockExistsPairs) throw new TooManyIdsError('pairs', GRAPH_LIMITS.blockExistsPairs);
    const pairs = p.pairs.map((raw, i) => {
      const pair = payloadObject(raw, `pairs[${i}]`);
      return [parseUserId(pair.user_id, `pairs[${i}].user_id`), parseUserId(pair.other_id, `pairs[${i}].other_id`)] as const;
    });
    const blocked = await this.blockExists.execute({ pairs });
    return { data: { pairs: pairs.map(([userId, otherId], i) => ({ user_id: userId, other_id: otherId, blocked: blocked[i]! })) } };
  }

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
    return { data: (await this.stats.execute({ userIds })).map((s) => statsJson(s)) };
  }

  /** Accepted followers of `user_id` who asked to be notified of its posts (follow option notify), newest first. */
  @MessagePattern(GRAPH_RPC_PATTERNS.notifySubscriberIds)
  async notifySubscriberIds(@Payload() payload: unknown): Promise<RpcReply<IdsPageReplyData>> {
    return this.idsPage('notify_subscribers', payload);
  }

  /** Whom `viewer_id` mutes (active mutes, newest first), with scopes, for timeline and notification filtering. */
  @MessagePattern(GRAPH_RPC_PATTERNS.mutedIds)
  async mutedIds(@Payload() payload: unknown): Promise<RpcReply<MutedIdsReplyData>> {
    const p = payloadObject(payload);
    const page = await this.mutes.execute({
      muterId: parseUserId(p.viewer_id, 'viewer_id'),
      cursor: optionalCursor(p.cursor),
      limit: optionalLimit(p.limit, GRAPH_LIMITS.idsPageMax),
      size: 'ids',
    });
    return { data: { mutes: page.items.map(muteJson), next_cursor: page.nextCursor } };
  }

  private async idsPage(direction: 'followers' | 'following' | 'notify_subscribers', payload: unknown): Promise<RpcReply<IdsPageReplyData>> {
    const p = payloadObject(payload);
    const page = await this.userIds.execute({
      userId: parseUserId(p.user_id, 'user_id'),
      direction,
      cursor: optionalCursor(p.cursor),
      limit: optionalLimit(p.limit, GRAPH_LIMITS.idsPageMax),
      details: optionalBoolean(p.with_edges, 'with_edges'),
      since: optionalInstant(p.since, 'since'),
      until: optionalInstant(p.until, 'until'),
    });
    const edges = page.edges?.map((e) => ({ user_id: e.userId, created_at: e.createdAt.toISOString(), options: { ...e.options } }));
    return { data: { user_ids: page.userIds, next_cursor: page.nextCursor, ...(edges ? { edges } : {}) } };
  }
}
