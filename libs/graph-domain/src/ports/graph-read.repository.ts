import { DetailedEdgeSlice, EdgeDetailList, EdgeList, EdgeSlice, EdgeTimeRange, ListPageRead, OwnedEdgeList, PageQuery } from '../model/edge-list';
import { GraphStats, KnownFollowersSummary, Recommendation } from '../model/graph-stats';
import { UserSettings } from '../model/account-settings';
import { Relationship } from '../model/relationship';
import { UserId } from '../model/user-id';

export interface RecommendationBounds {
  /** How many of the user's most recent followings are explored. */
  recentFollowings: number;
  /** How many of each explored account's most recent followings are counted. */
  perFollowing: number;
}

/** Which sources of a followers/following page listPageSources reads (each part only when asked). */
export interface ListPageSourcesQuery {
  settings: boolean;
  /** The owner's newest blocked accounts, at most this many; null: not asked. */
  blocks: number | null;
  stats: boolean;
  /** The list's newest entries, at most this many (as listEdges from the start); null: not asked. */
  head: number | null;
}

export interface ListPageSources {
  settings?: UserSettings;
  blocks?: EdgeSlice;
  stats?: GraphStats;
  head?: EdgeSlice;
}

/**
 * The read side of the graph. Reads see committed data only; none writes.
 */
export abstract class GraphReadRepository {
  /** Settings of each user (default: public), in the order asked. */
  abstract getSettings(userId: UserId): Promise<UserSettings>;

  /**
   * How `viewerId` stands towards each of `userIds`, in the order asked (duplicates repeated), in
   * one round trip whatever the number of ids. The viewer towards itself is all false, `none`.
   */
  abstract getRelationships(viewerId: UserId, userIds: UserId[]): Promise<Relationship[]>;

  /** Exact counters for each user, in the order asked; unknown users have zeros. */
  abstract getStats(userIds: UserId[]): Promise<GraphStats[]>;

  /**
   * One page of a list, newest edge first, starting strictly after `page.after`. The cost does not
   * depend on how deep the position is.
   */
  abstract listEdges(list: EdgeList, page: PageQuery): Promise<EdgeSlice>;

  /**
   * As listEdges, with each edge's options, limited to edges made within `range` (since inclusive,
   * until exclusive). Same order and keyset positions as listEdges, so cursors of one serve the other.
   */
  abstract listEdgeDetails(list: EdgeDetailList, page: PageQuery, range: EdgeTimeRange): Promise<DetailedEdgeSlice>;

  /** The exact number of entries of a list (from the counters where a counter exists). */
  abstract countEdges(list: EdgeList): Promise<number>;

  /**
   * A list about its owner as `viewerId` may see it, in one call (the cache answers a first page
   * in one round trip): `blocked` when the owner blocks the viewer (whatever else holds);
   * else `private` when the owner is private and the viewer is neither the owner nor an accepted
   * follower of it; else `ok` with the page (exactly as listEdges gives it) and the total (as
   * countEdges). The viewer's own block of the owner hides nothing; the owner sees its own lists.
   */
  abstract readListPage(viewerId: UserId, list: OwnedEdgeList, page: PageQuery): Promise<ListPageRead>;

  /**
   * What a followers/following page of `list` is made of, for a cache to fill the parts it misses:
   * the owner's settings, blocked accounts, counters and the list's newest entries, each exactly as
   * getSettings, listEdges and getStats give it. By default those calls side by side; an adapter
   * reads them in one round trip.
   */
  async listPageSources(list: OwnedEdgeList, want: ListPageSourcesQuery): Promise<ListPageSources> {
    const owner = list.userId;
    const [settings, blocks, stats, head] = await Promise.all([
      want.settings ? this.getSettings(owner) : undefined,
      want.blocks !== null ? this.listEdges({ kind: 'blocks', userId: owner }, { limit: want.blocks, after: null }) : undefined,
      want.stats ? this.getStats([owner]).then(([s]) => s) : undefined,
      want.head !== null ? this.listEdges(list, { limit: want.head, after: null }) : undefined,
    ]);
    return { ...(settings && { settings }), ...(blocks && { blocks }), ...(stats && { stats }), ...(head && { head }) };
  }

  /**
   * For each target, in the order asked: how many accounts `viewerId` follows (accepted) follow it
   * (accepted), and up to `sample` of them, the most recent follow of the target first. One round
   * trip; no visibility rule (the use case applies it).
   */
  abstract knownFollowersOf(viewerId: UserId, targetIds: UserId[], sample: number): Promise<KnownFollowersSummary[]>;

  /**
   * The sampleIds of knownFollowersOf without the count, for each target in the order asked: up to
   * `sample` of the accounts `viewerId` follows that follow it, the most recent follow first. Its
   * cost is bounded by the sample where the viewer's followings are dense among the target's
   * followers, not by how many accounts the viewer follows (suggestions ask it for 10 targets of a
   * user who may follow thousands). One round trip.
   */
  abstract sampleKnownFollowers(viewerId: UserId, targetIds: UserId[], sample: number): Promise<UserId[][]>;

  /** For each pair, whether either user blocks the other, in the order given, in one round trip. */
  abstract blockExists(pairs: Array<readonly [UserId, UserId]>): Promise<boolean[]>;

  /** The subset of `candidateIds` that `followerId` follows (accepted), in the order given. */
  abstract filterFollowed(followerId: UserId, candidateIds: UserId[]): Promise<UserId[]>;

  /**
   * Friend-of-friend suggestions ranked by mutual count (ties: smaller id first), excluding the user,
   * accounts it follows or has requested, accounts blocked either way and accounts it dismissed.
   * The seeds are the user's `recentFollowings` newest followings; with `relativeTo` ("people like
   * X") they are X's newest accepted followers instead, and X itself is excluded too. Each seed's
   * `perFollowing` newest followings are counted, so a heavy user (or X) costs what a light one costs.
   */
  abstract getRecommendations(userId: UserId, limit: number, bounds: RecommendationBounds, relativeTo?: UserId): Promise<Recommendation[]>;

  /** The N users with the most followers, most first (for cache warming). */
  abstract mostFollowed(limit: number): Promise<UserId[]>;
}
