import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, UserId, listAccessOf } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface GetKnownFollowersInput {
  viewerId: UserId;
  /** Up to 100 targets, answered in this order. */
  userIds: UserId[];
}

/** Per target: null count when the viewer may not see the target's followers (private, or blocked by it). */
export interface KnownFollowersOfTarget {
  userId: UserId;
  count: number | null;
  sampleIds: UserId[];
}

/**
 * "Followed by X, Y and 3 others you follow" for up to 100 accounts at once (Bluesky's
 * viewer.knownFollowers). The list-visibility rule applies per target, as on GET /known-followers/{id}.
 */
@Injectable()
export class GetKnownFollowersUseCase {
  constructor(private readonly graph: GraphReadRepository) {}

  async execute(input: GetKnownFollowersInput): Promise<KnownFollowersOfTarget[]> {
    assertAtMost(input.userIds, GRAPH_LIMITS.knownFollowersIds, 'ids');
    if (input.userIds.length === 0) return [];
    const unique = [...new Set(input.userIds)];
    const [relationships, settings] = await Promise.all([
      this.graph.getRelationships(input.viewerId, unique),
      Promise.all(unique.map((id) => this.graph.getSettings(id))),
    ]);
    const visible = unique.filter((id, i) => listAccessOf(input.viewerId, id, relationships[i]!, settings[i]!, 'known_followers') === 'ok');
    const known = await this.graph.knownFollowersOf(input.viewerId, visible, GRAPH_LIMITS.knownFollowersSample);
    const byId = new Map(known.map((k) => [k.userId, k]));
    return input.userIds.map((id) => {
      const k = byId.get(id);
      return k ? { userId: id, count: k.count, sampleIds: [...k.sampleIds] } : { userId: id, count: null, sampleIds: [] };
    });
  }
}
