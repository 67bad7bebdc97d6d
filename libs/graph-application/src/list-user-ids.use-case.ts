import { Injectable } from '@nestjs/common';
import { CursorCodec, EdgeList, GraphReadRepository, UserId, edgeListKey } from '@graph/domain';
import { READ_LIMITS, pageLimit } from './read-limits';

export interface ListUserIdsInput {
  userId: UserId;
  /** followers of userId, the accounts userId follows, or the followers who asked to be notified of its posts. */
  direction: 'followers' | 'following' | 'notify_subscribers';
  cursor?: string | null;
  /** Default 1000, at most 5000. */
  limit?: number;
}

export interface UserIdsPage {
  userIds: UserId[];
  nextCursor: string | null;
}

/**
 * Every follower (or following) id in keyset pages, for internal services (feed fan-out over
 * request-reply). No visibility rule: callers are trusted services, not end users.
 */
@Injectable()
export class ListUserIdsUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async execute(input: ListUserIdsInput): Promise<UserIdsPage> {
    const limit = pageLimit(input.limit, READ_LIMITS.idsPageDefault, READ_LIMITS.idsPageMax);
    const list: EdgeList = { kind: input.direction, userId: input.userId };
    const key = edgeListKey(list);
    const after = input.cursor ? this.cursors.decode(input.cursor, key) : null;
    const slice = await this.graph.listEdges(list, { limit, after });
    return {
      userIds: slice.items.map((e) => e.userId),
      nextCursor: slice.next ? this.cursors.encode(slice.next, key) : null,
    };
  }
}
