import { Injectable } from '@nestjs/common';
import {
  BlockedError,
  CursorCodec,
  EdgeList,
  EdgeSlice,
  ForbiddenError,
  GRAPH_LIMITS,
  GraphReadRepository,
  ListHiddenError,
  OwnedEdgeList,
  Page,
  PrivateAccountError,
  UserId,
  edgeListKey,
  isOwnedEdgeList,
  listAccessOf,
} from '@graph/domain';
import { pageLimit } from './read-limits';

export interface ListEdgesInput {
  /** The signed-in caller. */
  viewerId: UserId;
  list: EdgeList;
  /** `next_cursor` of the previous page; absent or empty for the first page. */
  cursor?: string | null;
  /** Default 20, at most 100. */
  limit?: number;
}

/**
 * One page of any list (followers, following, requests, blocks, common/known followers, mutuals),
 * newest edge first, with its keyset cursor and exact total.
 *
 * Who may see what:
 * - requests (incoming, outgoing) and blocks: only their owner (FORBIDDEN otherwise);
 * - lists about a user (followers, following, mutuals, known followers; common followers: both
 *   users): BLOCKED when that user blocks the viewer; PRIVATE_ACCOUNT when the user is private
 *   and the viewer is neither the user nor an accepted follower; LIST_HIDDEN when the user's
 *   followers_visibility / following_visibility keeps the list from the viewer (listAccess). The
 *   viewer's own block of the user hides nothing from the viewer.
 */
@Injectable()
export class ListEdgesUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly cursors: CursorCodec,
  ) {}

  async execute(input: ListEdgesInput): Promise<Page> {
    const limit = pageLimit(input.limit, GRAPH_LIMITS.pageDefault, GRAPH_LIMITS.pageMax);
    const key = edgeListKey(input.list);
    const after = input.cursor ? this.cursors.decode(input.cursor, key) : null;
    const list = input.list;
    if (isOwnedEdgeList(list)) {
      if (list.kind === 'known_followers' && list.viewerId !== input.viewerId) throw new ForbiddenError('known followers are listed for the caller only');
      // Access, page and total in one port call: one cache round trip for a cached page.
      const read = await this.graph.readListPage(input.viewerId, list, { limit, after });
      if (read.access === 'blocked') throw new BlockedError();
      if (read.access === 'private') throw new PrivateAccountError();
      if (read.access === 'hidden') throw new ListHiddenError();
      return this.page(read.slice, read.total, key);
    }
    await this.assertVisible(input.viewerId, list);
    const [slice, total] = await Promise.all([this.graph.listEdges(list, { limit, after }), this.graph.countEdges(list)]);
    return this.page(slice, total, key);
  }

  private page(slice: EdgeSlice, total: number, key: string): Page {
    return { items: slice.items, nextCursor: slice.next ? this.cursors.encode(slice.next, key) : null, total };
  }

  private async assertVisible(viewerId: UserId, list: Exclude<EdgeList, OwnedEdgeList>): Promise<void> {
    switch (list.kind) {
      case 'incoming_requests':
      case 'outgoing_requests':
      case 'blocks':
        if (list.userId !== viewerId) throw new ForbiddenError('only the account itself may see its requests and blocks');
        return;
      case 'common_followers':
        return this.assertOwnersVisible(viewerId, [list.userA, list.userB]);
    }
  }

  private async assertOwnersVisible(viewerId: UserId, owners: UserId[]): Promise<void> {
    const others = [...new Set(owners)].filter((o) => o !== viewerId);
    if (others.length === 0) return;
    const [relationships, settings] = await Promise.all([
      this.graph.getRelationships(viewerId, others),
      Promise.all(others.map((o) => this.graph.getSettings(o))),
    ]);
    const access = others.map((owner, i) => listAccessOf(viewerId, owner, relationships[i]!, settings[i]!, 'common_followers'));
    if (access.includes('blocked')) throw new BlockedError();
    if (access.includes('private')) throw new PrivateAccountError();
    if (access.includes('hidden')) throw new ListHiddenError();
  }
}
