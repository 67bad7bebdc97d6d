import {
  DetailedEdgeSlice,
  EdgeDetailList,
  EdgeList,
  EdgeSlice,
  EdgeTimeRange,
  KeysetPosition,
  ListPageRead,
  ListedEdge,
  OwnedEdgeList,
  PageQuery,
} from '../model/edge-list';
import { GraphStats, KnownFollowersSummary, Recommendation } from '../model/graph-stats';
import { UserSettings } from '../model/account-settings';
import { listAccess, listVisibilityOf } from '../model/list-access';
import { Relationship, describeRelationship } from '../model/relationship';
import { UserId, compareUserIds } from '../model/user-id';
import { GraphReadRepository, RecommendationBounds } from '../ports/graph-read.repository';
import { InMemoryGraphStore, StoredEdge } from './in-memory-graph.store';

interface Entry {
  userId: UserId;
  createdAtUs: bigint;
}

/** Newest first by (created_at, user id), as the Postgres indexes are scanned backwards. */
function newestFirst(a: Entry, b: Entry): number {
  if (a.createdAtUs !== b.createdAtUs) return a.createdAtUs > b.createdAtUs ? -1 : 1;
  return -compareUserIds(a.userId, b.userId);
}

function isBefore(e: Entry, p: KeysetPosition): boolean {
  const at = BigInt(p.createdAtUs);
  return e.createdAtUs < at || (e.createdAtUs === at && compareUserIds(e.userId, p.userId) < 0);
}

function toDate(us: bigint): Date {
  // Date keeps milliseconds; the exact microseconds travel in the keyset position.
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
  return new Date(Number(ms));
}

/**
 * The read port over the in-memory store, for unit tests. Counts are computed by counting edges
 * (what the real counters must equal); rejected requests count nowhere and are listed nowhere.
 */
export class InMemoryGraphReadRepository extends GraphReadRepository {
  constructor(private readonly store: InMemoryGraphStore) {
    super();
  }

  async getSettings(userId: UserId): Promise<UserSettings> {
    return this.store.settings(userId);
  }

  async getRelationships(viewerId: UserId, userIds: UserId[]): Promise<Relationship[]> {
    return userIds.map((id) => {
      const out = this.store.edge(viewerId, id);
      const inc = this.store.edge(id, viewerId);
      return describeRelationship(
        id,
        {
          following: out?.status === 'accepted',
          followedBy: inc?.status === 'accepted',
          requested: out?.status === 'pending',
          requestedBy: inc?.status === 'pending',
          blocking: this.store.blocks.has(InMemoryGraphStore.pairKey(viewerId, id)),
          blockedBy: this.store.blocks.has(InMemoryGraphStore.pairKey(id, viewerId)),
        },
        out?.options,
      );
    });
  }

  async getStats(userIds: UserId[]): Promise<GraphStats[]> {
    return userIds.map((userId) => {
      let followerCount = 0;
      let followingCount = 0;
      let pendingRequestsCount = 0;
      for (const e of this.store.edges.values()) {
        if (e.followingId === userId && e.status === 'accepted') followerCount++;
        if (e.followingId === userId && e.status === 'pending') pendingRequestsCount++;
        if (e.followerId === userId && e.status === 'accepted') followingCount++;
      }
      return { userId, followerCount, followingCount, pendingRequestsCount };
    });
  }

  async listEdges(list: EdgeList, page: PageQuery): Promise<EdgeSlice> {
    const after = page.after;
    const all = this.entries(list)
      .filter((e) => after === null || isBefore(e, after))
      .sort(newestFirst);
    const items = all.slice(0, page.limit);
    const last = items[items.length - 1];
    const next = all.length > page.limit && last ? { createdAtUs: last.createdAtUs.toString(), userId: last.userId } : null;
    return { items: items.map((e): ListedEdge => ({ userId: e.userId, createdAt: toDate(e.createdAtUs), createdAtUs: e.createdAtUs.toString() })), next };
  }

  async listEdgeDetails(list: EdgeDetailList, page: PageQuery, range: EdgeTimeRange): Promise<DetailedEdgeSlice> {
    const sinceUs = range.since ? BigInt(range.since.getTime()) * 1000n : null;
    const untilUs = range.until ? BigInt(range.until.getTime()) * 1000n : null;
    const all = this.entries(list)
      .filter((e) => (page.after === null || isBefore(e, page.after)) && (sinceUs === null || e.createdAtUs >= sinceUs) && (untilUs === null || e.createdAtUs < untilUs))
      .sort(newestFirst);
    const items = all.slice(0, page.limit);
    const last = items[items.length - 1];
    const edgeOf = (other: UserId) => (list.kind === 'following' ? this.store.edge(list.userId, other) : this.store.edge(other, list.userId))!;
    return {
      items: items.map((e) => ({ userId: e.userId, createdAt: toDate(e.createdAtUs), createdAtUs: e.createdAtUs.toString(), options: { ...edgeOf(e.userId).options } })),
      next: all.length > page.limit && last ? { createdAtUs: last.createdAtUs.toString(), userId: last.userId } : null,
    };
  }

  async countEdges(list: EdgeList): Promise<number> {
    return this.entries(list).length;
  }

  async readListPage(viewerId: UserId, list: OwnedEdgeList, page: PageQuery): Promise<ListPageRead> {
    const owner = list.userId;
    const access = listAccess({
      self: viewerId === owner,
      blockedByOwner: this.store.blocks.has(InMemoryGraphStore.pairKey(owner, viewerId)),
      ownerPrivate: this.store.privateUsers.has(owner),
      acceptedFollower: this.store.edge(viewerId, owner)?.status === 'accepted',
      visibility: listVisibilityOf(this.store.settings(owner), list.kind),
    });
    if (access !== 'ok') return { access };
    return { access: 'ok', slice: await this.listEdges(list, page), total: await this.countEdges(list) };
  }

  async knownFollowersOf(viewerId: UserId, targetIds: UserId[], sample: number): Promise<KnownFollowersSummary[]> {
    return targetIds.map((userId) => {
      const known = this.followerEntries(userId)
        .filter((e) => this.follows(viewerId, e.userId))
        .sort(newestFirst);
      return { userId, count: known.length, sampleIds: known.slice(0, sample).map((e) => e.userId) };
    });
  }

  async sampleKnownFollowers(viewerId: UserId, targetIds: UserId[], sample: number): Promise<UserId[][]> {
    return (await this.knownFollowersOf(viewerId, targetIds, sample)).map((k) => k.sampleIds);
  }

  async blockExists(pairs: Array<readonly [UserId, UserId]>): Promise<boolean[]> {
    return pairs.map(([a, b]) => this.store.isBlockedEitherWay(a, b));
  }

  async filterFollowed(followerId: UserId, candidateIds: UserId[]): Promise<UserId[]> {
    return candidateIds.filter((id) => this.store.edge(followerId, id)?.status === 'accepted');
  }

  async getRecommendations(userId: UserId, limit: number, bounds: RecommendationBounds, relativeTo?: UserId): Promise<Recommendation[]> {
    const seeds = relativeTo === undefined ? this.followingEntries(userId) : this.followerEntries(relativeTo);
    const recent = seeds.sort(newestFirst).slice(0, bounds.recentFollowings);
    const counts = new Map<UserId, number>();
    for (const f of recent) {
      for (const c of this.followingEntries(f.userId).sort(newestFirst).slice(0, bounds.perFollowing)) {
        counts.set(c.userId, (counts.get(c.userId) ?? 0) + 1);
      }
    }
    const excluded = (id: UserId): boolean => {
      const edge = this.store.edge(userId, id);
      return (
        id === userId ||
        id === relativeTo ||
        edge?.status === 'accepted' ||
        edge?.status === 'pending' ||
        this.store.isBlockedEitherWay(userId, id) ||
        this.store.dismissals.has(InMemoryGraphStore.pairKey(userId, id))
      );
    };
    return [...counts.entries()]
      .filter(([id]) => !excluded(id))
      .map(([id, n]) => ({ userId: id, mutualCount: n }))
      .sort((a, b) => b.mutualCount - a.mutualCount || compareUserIds(a.userId, b.userId))
      .slice(0, limit);
  }

  async mostFollowed(limit: number): Promise<UserId[]> {
    const counts = new Map<UserId, number>();
    for (const e of this.store.edges.values()) {
      if (e.status === 'accepted') counts.set(e.followingId, (counts.get(e.followingId) ?? 0) + 1);
    }
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || compareUserIds(a[0], b[0]))
      .slice(0, limit)
      .map(([id]) => id);
  }

  private accepted(): StoredEdge[] {
    return [...this.store.edges.values()].filter((e) => e.status === 'accepted');
  }

  private followerEntries(userId: UserId): Entry[] {
    return this.accepted()
      .filter((e) => e.followingId === userId)
      .map((e) => ({ userId: e.followerId, createdAtUs: e.createdAtUs }));
  }

  private followingEntries(userId: UserId): Entry[] {
    return this.accepted()
      .filter((e) => e.followerId === userId)
      .map((e) => ({ userId: e.followingId, createdAtUs: e.createdAtUs }));
  }

  private follows(followerId: UserId, followingId: UserId): boolean {
    return this.store.edge(followerId, followingId)?.status === 'accepted';
  }

  private entries(list: EdgeList): Entry[] {
    const edges = [...this.store.edges.values()];
    switch (list.kind) {
      case 'followers':
        return this.followerEntries(list.userId);
      case 'following':
        return this.followingEntries(list.userId);
      case 'incoming_requests':
        return edges
          .filter((e) => e.followingId === list.userId && e.status === 'pending')
          .map((e) => ({ userId: e.followerId, createdAtUs: e.createdAtUs }));
      case 'outgoing_requests':
        return edges
          .filter((e) => e.followerId === list.userId && e.status === 'pending')
          .map((e) => ({ userId: e.followingId, createdAtUs: e.createdAtUs }));
      case 'blocks':
        return [...this.store.blocks.values()]
          .filter((b) => b.blockerId === list.userId)
          .map((b) => ({ userId: b.blockedId, createdAtUs: b.createdAtUs }));
      case 'common_followers':
        return this.followerEntries(list.userA).filter((e) => this.follows(e.userId, list.userB));
      case 'known_followers':
        return this.followerEntries(list.userId).filter((e) => this.follows(list.viewerId, e.userId));
      case 'mutuals':
        return this.followerEntries(list.userId).filter((e) => this.follows(list.userId, e.userId));
      case 'notify_subscribers':
        return this.followerEntries(list.userId).filter((e) => this.store.edge(e.userId, list.userId)!.options.notify);
    }
  }
}
