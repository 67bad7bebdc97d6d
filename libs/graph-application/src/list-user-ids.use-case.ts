import { Injectable } from '@nestjs/common';
import { CursorCodec, DetailedEdge, EdgeDetailList, GRAPH_LIMITS, GraphReadRepository, UserId, ValidationError, edgeListKey } from '@graph/domain';
import { pageLimit } from './read-limits';

export interface ListUserIdsInput {
  userId: UserId;
  /** followers of userId, the accounts userId follows, or the followers who asked to be notified of its posts. */
  direction: 'followers' | 'following' | 'notify_subscribers';
  cursor?: string | null;
  /** Default 1000, at most 5000. */
  limit?: number;
  /** Also give each edge's created_at and follow options. */
  details?: boolean;
  /** Only edges made at or after `since` and before `until`. */
  since?: Date | null;
  until?: Date | null;
}

export interface UserIdsPage {
  userIds: UserId[];
  nextCursor: string | null;
  /** With `details`: one per id, in the same order. */
  edges?: DetailedEdge[];
}

/**
 * Every follower (or following) id in keyset pages, for internal services (feed fan-out over
 * request-reply). No visibility rule: callers are trusted services, not end users. Plain pages take
 * the cached path; details and time windows read Postgres (the cache holds ids and times only).
 * Cursors are the same keyset positions either way.
 */
@Injectable()
export class ListUserIdsUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async execute(input: ListUserIdsInput): Promise<UserIdsPage> {
    const limit = pageLimit(input.limit, GRAPH_LIMITS.idsPageDefault, GRAPH_LIMITS.idsPageMax);
    const list: EdgeDetailList = { kind: input.direction, userId: input.userId };
    const key = edgeListKey(list);
    const after = input.cursor ? this.cursors.decode(input.cursor, key) : null;
    const since = input.since ?? null;
    const until = input.until ?? null;
    if (since && until && since.getTime() >= until.getTime()) throw new ValidationError('since must be before until', 'since');
    if (!input.details && since === null && until === null) {
      const slice = await this.graph.listEdges(list, { limit, after });
      return { userIds: slice.items.map((e) => e.userId), nextCursor: slice.next ? this.cursors.encode(slice.next, key) : null };
    }
    const slice = await this.graph.listEdgeDetails(list, { limit, after }, { since, until });
    return {
      userIds: slice.items.map((e) => e.userId),
      nextCursor: slice.next ? this.cursors.encode(slice.next, key) : null,
      ...(input.details ? { edges: slice.items } : {}),
    };
  }
}
