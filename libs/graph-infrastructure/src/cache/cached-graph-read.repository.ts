import {
  DetailedEdgeSlice,
  EdgeDetailList,
  EdgeList,
  EdgeTimeRange,
  EdgeSlice,
  GraphReadRepository,
  GraphStats,
  KnownFollowersSummary,
  ListPageRead,
  ListPageSources,
  OwnedEdgeList,
  PageQuery,
  Recommendation,
  RecommendationBounds,
  Relationship,
  UserId,
  DEFAULT_USER_SETTINGS,
  GRAPH_LIMITS,
  UserSettings,
  describeRelationship,
  hasDefaultSettings,
  listAccessOf,
  listVisibilityOf,
} from '@graph/domain';
import { CacheOptions } from '../infrastructure.options';
import { GraphCacheMetrics } from './graph-cache.metrics';
import {
  BLOCK_SET_CAP,
  CacheFamily,
  END_MEMBER,
  EntryFill,
  GraphCacheStore,
  blockSetHolds,
  cacheKey,
  encodeBlockSet,
  jitteredTtlMs,
  listMember,
  parseListMember,
} from './graph-cache.store';

/** Warming reads lists as a viewer that is no user, so the owner's settings and block set load too. */
const WARMING_VIEWER = '0' as UserId;

/** Suggestions are cached as the top 50 (the most a caller may ask for) and sliced. */
const CACHED_RECOMMENDATIONS = 50;
/**
 * The first suggestions (as many as a caller gets by default) are cached with their samples of
 * known followers, so a hit needs no Postgres at all; the rest are sampled when asked for.
 */
const SAMPLED_RECOMMENDATIONS = GRAPH_LIMITS.recommendationsDefault;

export interface GraphCacheSettings extends CacheOptions {
  /** How many of a list's newest entries are kept (deeper pages come from Postgres). */
  listWindow: number;
}

const FLAGS = ['following', 'followedBy', 'requested', 'requestedBy', 'blocking', 'blockedBy'] as const;

/** Six flags, then notify and reposts of the viewer's edge, then `:` and its languages when it has a list. */
function encodeRelationship(r: Relationship): string {
  const flags = FLAGS.map((f) => (r[f] ? '1' : '0')).join('');
  return `${flags}${r.notifying ? '1' : '0'}${r.showingReposts ? '1' : '0'}${r.languages === null ? '' : `:${r.languages.join(',')}`}`;
}

/**
 * `0`: every setting has its default, the one value the stores' fast paths (Lua, in-process) take
 * as an owner open to every viewer it does not block. Anything else goes through checkedPage:
 * `1` (private, other settings default; entries written before the account policies existed) or
 * the settings as JSON.
 */
function encodeSettings(s: UserSettings): string {
  if (hasDefaultSettings(s)) return '0';
  if (hasDefaultSettings({ ...s, isPrivate: false })) return '1';
  return JSON.stringify(s);
}

function decodeSettings(value: string): UserSettings {
  if (value === '0') return { ...DEFAULT_USER_SETTINGS };
  if (value === '1') return { ...DEFAULT_USER_SETTINGS, isPrivate: true };
  return { ...DEFAULT_USER_SETTINGS, ...(JSON.parse(value) as Partial<UserSettings>) };
}

function decodeRelationship(userId: UserId, value: string): Relationship {
  const [following, followedBy, requested, requestedBy, blocking, blockedBy] = FLAGS.map((_, i) => value[i] === '1') as boolean[];
  const flags = { following: following!, followedBy: followedBy!, requested: requested!, requestedBy: requestedBy!, blocking: blocking!, blockedBy: blockedBy! };
  // Entries written before follow options existed hold the six flags only: their edges have the defaults.
  if (value.length < 8) return describeRelationship(userId, flags);
  const languages = value.length > 8 ? value.slice(9).split(',').filter((l) => l !== '') : null;
  return describeRelationship(userId, flags, { notify: value[6] === '1', reposts: value[7] === '1', languages });
}

function encodeStats(s: GraphStats): string {
  return `${s.followerCount}:${s.followingCount}:${s.pendingRequestsCount}`;
}

function decodeStats(userId: UserId, value: string): GraphStats {
  const [followerCount, followingCount, pendingRequestsCount] = value.split(':').map(Number) as [number, number, number];
  return { userId, followerCount, followingCount, pendingRequestsCount };
}

function countOf(family: 'followers' | 'following', stats: string): number {
  const [followers, following] = stats.split(':');
  return Number(family === 'followers' ? followers : following);
}

export function usToDate(us: string): Date {
  const n = Number(us);
  // Exact below 2^53 µs (year 2255); BigInt beyond.
  if (Number.isSafeInteger(n)) return new Date(Math.floor(n / 1000));
  const b = BigInt(us);
  return new Date(Number(b / 1000n - (b % 1000n < 0n ? 1n : 0n)));
}

/**
 * A page from list members (newest first, strictly after the requested position, at most
 * limit + 1 of them, END_MEMBER last when the list ends there); null when the members cannot tell
 * (a window ran out). Same rule as Postgres: `next` only when more rows follow.
 */
function pageFromMembers(members: string[], limit: number): EdgeSlice | null {
  const ended = members[members.length - 1] === END_MEMBER;
  const real = ended ? members.slice(0, -1) : members;
  if (!ended && real.length <= limit) return null;
  const rows = real.slice(0, limit).map(parseListMember);
  const last = rows[rows.length - 1];
  return {
    items: rows.map((r) => ({ userId: r.userId as UserId, createdAt: usToDate(r.createdAtUs), createdAtUs: r.createdAtUs })),
    next: real.length > limit && last ? { createdAtUs: last.createdAtUs, userId: last.userId as UserId } : null,
  };
}

/**
 * Cache-aside in front of the Postgres read repository: relationships, stats, settings,
 * suggestions and the newest window of followers/following lists are read from the cache store,
 * misses from Postgres and stored back with a ticket (never over a newer write). When the store
 * is unavailable every call goes to Postgres. Other reads pass through. Misses are read from `fills`
 * (the primary, when read replicas are configured), the rest from `inner` (which may use a replica).
 */
export class CachedGraphReadRepository extends GraphReadRepository {
  constructor(
    private readonly inner: GraphReadRepository,
    private readonly store: GraphCacheStore,
    private readonly settings: GraphCacheSettings,
    private readonly metrics: GraphCacheMetrics,
    /** Where misses that fill the cache are read: the primary (a lagging replica would store stale entries). */
    private readonly fills: GraphReadRepository = inner,
  ) {
    super();
  }

  async getSettings(userId: UserId): Promise<UserSettings> {
    const [value] = await this.cached('settings', [cacheKey('settings', userId)], this.settings.ttlSeconds.relationship, async () => [await this.inner.getSettings(userId)], encodeSettings);
    return value!.cached !== undefined ? decodeSettings(value!.cached) : value!.fresh!;
  }

  async getRelationships(viewerId: UserId, userIds: UserId[]): Promise<Relationship[]> {
    const unique = [...new Set(userIds)];
    const values = await this.cached(
      'relationship',
      unique.map((id) => cacheKey('relationship', viewerId, id)),
      this.settings.ttlSeconds.relationship,
      (missing) => this.inner.getRelationships(viewerId, missing.map((m) => unique[m]!)),
      encodeRelationship,
    );
    const byId = new Map(unique.map((id, i) => [id, values[i]!.cached !== undefined ? decodeRelationship(id, values[i]!.cached!) : values[i]!.fresh!]));
    return userIds.map((id) => ({ ...byId.get(id)! }));
  }

  async getStats(userIds: UserId[]): Promise<GraphStats[]> {
    const unique = [...new Set(userIds)];
    const values = await this.cached(
      'stats',
      unique.map((id) => cacheKey('stats', id)),
      this.settings.ttlSeconds.stats,
      (missing) => this.fills.getStats(missing.map((m) => unique[m]!)),
      encodeStats,
    );
    const byId = new Map(unique.map((id, i) => [id, values[i]!.cached !== undefined ? decodeStats(id, values[i]!.cached!) : values[i]!.fresh!]));
    return userIds.map((id) => ({ ...byId.get(id)! }));
  }

  async countEdges(list: EdgeList): Promise<number> {
    // The totals of these lists are the counters: one cached stats entry answers them.
    if (list.kind === 'followers' || list.kind === 'following' || list.kind === 'incoming_requests') {
      const [stats] = await this.getStats([list.userId]);
      return list.kind === 'followers' ? stats!.followerCount : list.kind === 'following' ? stats!.followingCount : stats!.pendingRequestsCount;
    }
    return this.inner.countEdges(list);
  }

  async listEdges(list: EdgeList, page: PageQuery): Promise<EdgeSlice> {
    if (list.kind !== 'followers' && list.kind !== 'following') return this.inner.listEdges(list, page);
    const family: CacheFamily = list.kind;
    const key = cacheKey(family, list.userId);
    const after = page.after ? listMember(page.after.createdAtUs, page.after.userId) : null;
    let read;
    try {
      read = await this.store.readList(key, after, page.limit + 1);
    } catch {
      this.metrics.bypass(family);
      return this.inner.listEdges(list, page);
    }
    const slice = read.kind === 'hit' ? pageFromMembers(read.members, page.limit) : null;
    if (slice) {
      this.metrics.hit(family);
      return slice;
    }
    this.metrics.miss(family);
    return read.kind === 'miss' ? this.loadList(list, page, read.epoch, read.ticket) : this.inner.listEdges(list, page);
  }

  /**
   * Followers/following pages in one store round trip: the owner's settings, whether it blocks the
   * viewer (its cached block set), the page from the list window and the total from the cached
   * counters. Each part that misses is read from Postgres (in parallel) and stored with its
   * ticket. Only for a private owner, or one blocking too many accounts to cache a block set,
   * is the viewer's relationship needed as well. Counted as one lookup of the list's family: a
   * hit when no part came from Postgres.
   */
  async readListPage(viewerId: UserId, list: OwnedEdgeList, page: PageQuery): Promise<ListPageRead> {
    if (list.kind !== 'followers' && list.kind !== 'following') return this.inner.readListPage(viewerId, list, page);
    const family: CacheFamily = list.kind;
    const owner = list.userId;
    const self = viewerId === owner;
    const after = page.after ? listMember(page.after.createdAtUs, page.after.userId) : null;
    let read;
    try {
      read = await this.store.readListPage({
        list: cacheKey(family, owner),
        stats: cacheKey('stats', owner),
        settings: self ? null : cacheKey('settings', owner),
        blocks: self ? null : cacheKey('blocks', owner),
        viewerId,
        after,
        count: page.limit + 1,
      });
    } catch {
      this.metrics.bypass(family);
      return this.inner.readListPage(viewerId, list, page);
    }
    const cachedSlice = read.list.kind === 'hit' ? pageFromMembers(read.list.members, page.limit) : null;
    if (read.settings.value !== null && read.blocks.blocked !== null && read.stats.value !== null && cachedSlice) {
      this.metrics.hit(family);
      if (read.blocks.blocked === 'yes') return { access: 'blocked' };
      const total = countOf(family, read.stats.value);
      if (read.settings.value === '0' && read.blocks.blocked === 'no') return { access: 'ok', slice: cachedSlice, total };
      return this.checkedPage(viewerId, list, read.blocks.blocked === 'many', decodeSettings(read.settings.value), cachedSlice, total);
    }

    this.metrics.miss(family);
    // What missed is read from Postgres in one round trip (listPageSources), the list's window with
    // it when the list missed with a ticket; a page the entries cannot give goes to listEdges beside it.
    const ttl = this.settings.ttlSeconds;
    const listTicket = read.list.kind === 'miss' ? read.list.ticket : null;
    const want = {
      settings: read.settings.value === null,
      blocks: read.blocks.blocked === null ? BLOCK_SET_CAP + 1 : null,
      stats: read.stats.value === null,
      head: !cachedSlice && listTicket ? this.settings.listWindow : null,
    };
    const asked = want.settings || want.blocks !== null || want.stats || want.head !== null;
    const [sources, plainSlice] = await Promise.all([
      asked ? this.fills.listPageSources(list, want) : ({} as ListPageSources),
      cachedSlice || want.head !== null ? null : this.inner.listEdges(list, page),
    ]);
    const fills: EntryFill[] = [];
    const fill = (key: string, ticket: string | null, value: string, ttlSeconds: number): void => {
      if (ticket) fills.push({ key, ticket, value, ttlMs: this.ttlMs(ttlSeconds) });
    };
    const ownerSettings = read.settings.value !== null ? decodeSettings(read.settings.value) : sources.settings!;
    if (sources.settings) fill(cacheKey('settings', owner), read.settings.ticket, encodeSettings(sources.settings), ttl.relationship);
    let blocked = read.blocks.blocked;
    if (sources.blocks) {
      const value = encodeBlockSet(sources.blocks.items.map((i) => i.userId));
      fill(cacheKey('blocks', owner), read.blocks.ticket, value, ttl.relationship);
      blocked = blockSetHolds(value, viewerId);
    }
    let total = read.stats.value !== null ? countOf(family, read.stats.value) : 0;
    if (sources.stats) {
      fill(cacheKey('stats', owner), read.stats.ticket, encodeStats(sources.stats), ttl.stats);
      total = family === 'followers' ? sources.stats.followerCount : sources.stats.followingCount;
    }
    if (fills.length > 0) this.fillInBackground(this.store.fillEntries(read.epoch, fills));
    const slice = cachedSlice ?? plainSlice ?? (await this.pageFromHead(list, page, read.epoch, listTicket!, sources.head!));
    if (blocked === 'yes') return { access: 'blocked' };
    return this.checkedPage(viewerId, list, blocked === 'many', ownerSettings, slice, total);
  }

  /** The page, once the viewer's relationship clears what the cached entries could not. */
  private async checkedPage(viewerId: UserId, list: OwnedEdgeList, blockUnknown: boolean, owner: UserSettings, slice: EdgeSlice, total: number): Promise<ListPageRead> {
    if (viewerId !== list.userId && (blockUnknown || owner.isPrivate || listVisibilityOf(owner, list.kind) !== 'public')) {
      const [r] = await this.getRelationships(viewerId, [list.userId]);
      const access = listAccessOf(viewerId, list.userId, r!, owner, list.kind);
      if (access !== 'ok') return { access };
    }
    return { access: 'ok', slice, total };
  }

  /**
   * A list page after a miss: the list's newest window from Postgres, stored with the ticket (when
   * there is one), and the page cut from it (from Postgres when the page lies past the window).
   */
  private async loadList(list: OwnedEdgeList, page: PageQuery, epoch: string, ticket: string | null): Promise<EdgeSlice> {
    if (!ticket || (list.kind !== 'followers' && list.kind !== 'following')) return this.inner.listEdges(list, page);
    return this.pageFromHead(list, page, epoch, ticket, await this.fills.listEdges(list, { limit: this.settings.listWindow, after: null }));
  }

  /** The page cut from the list's newest window `head` (read after the miss that gave `ticket`), which is stored with the ticket. */
  private async pageFromHead(list: OwnedEdgeList & { kind: 'followers' | 'following' }, page: PageQuery, epoch: string, ticket: string, head: EdgeSlice): Promise<EdgeSlice> {
    if (head.items.some((i) => i.createdAtUs === undefined)) return this.inner.listEdges(list, page);
    const members = head.items.map((i) => listMember(i.createdAtUs!, i.userId));
    const complete = head.next === null;
    this.fillInBackground(this.store.fillList(epoch, cacheKey(list.kind, list.userId), ticket, members, complete, this.ttlMs(this.settings.ttlSeconds[list.kind])));
    const after = page.after ? listMember(page.after.createdAtUs, page.after.userId) : null;
    const below = after === null ? members : members.filter((m) => m < after);
    const slice = pageFromMembers((complete ? [...below, END_MEMBER] : below).slice(0, page.limit + 1), page.limit);
    return slice ?? this.inner.listEdges(list, page);
  }

  /** Internal bulk reads with details: straight to Postgres (the cached lists hold ids and times only). */
  async listEdgeDetails(list: EdgeDetailList, page: PageQuery, range: EdgeTimeRange): Promise<DetailedEdgeSlice> {
    return this.inner.listEdgeDetails(list, page, range);
  }

  async knownFollowersOf(viewerId: UserId, targetIds: UserId[], sample: number): Promise<KnownFollowersSummary[]> {
    return this.inner.knownFollowersOf(viewerId, targetIds, sample);
  }

  async sampleKnownFollowers(viewerId: UserId, targetIds: UserId[], sample: number): Promise<UserId[][]> {
    return this.inner.sampleKnownFollowers(viewerId, targetIds, sample);
  }

  async blockExists(pairs: Array<readonly [UserId, UserId]>): Promise<boolean[]> {
    return this.inner.blockExists(pairs);
  }

  async filterFollowed(followerId: UserId, candidateIds: UserId[]): Promise<UserId[]> {
    return this.inner.filterFollowed(followerId, candidateIds);
  }

  async getRecommendations(userId: UserId, limit: number, bounds: RecommendationBounds, relativeTo?: UserId): Promise<Recommendation[]> {
    // "People like X" is asked once, after a follow: not worth an entry per (user, X).
    if (limit > CACHED_RECOMMENDATIONS || relativeTo !== undefined) return this.inner.getRecommendations(userId, limit, bounds, relativeTo);
    // The bounds travel with the value: suggestions computed under other bounds are not an answer.
    const shape = `${bounds.recentFollowings}:${bounds.perFollowing}`;
    const [value] = await this.cached(
      'suggestions',
      [cacheKey('suggestions', userId)],
      this.settings.ttlSeconds.recommendations,
      async () => [await this.withSamples(userId, await this.fills.getRecommendations(userId, CACHED_RECOMMENDATIONS, bounds))],
      (list) => JSON.stringify({ b: shape, r: list.map((r) => (r.sampleMutualIds ? [r.userId, r.mutualCount, r.sampleMutualIds] : [r.userId, r.mutualCount])) }),
    );
    if (value!.cached === undefined) return value!.fresh!.slice(0, limit);
    const cached = JSON.parse(value!.cached) as { b: string; r: ([UserId, number] | [UserId, number, UserId[]])[] };
    if (cached.b !== shape) return this.inner.getRecommendations(userId, limit, bounds);
    return cached.r.slice(0, limit).map(([id, n, samples]) => (samples ? { userId: id, mutualCount: n, sampleMutualIds: samples } : { userId: id, mutualCount: n }));
  }

  /**
   * The first suggestions with their samples, read from the same source as the list, so the cached
   * entry holds both and is dropped with both: the samples come from the caller's followings, and
   * every change to those drops the caller's suggestions (as it does for `mutualCount`).
   */
  private async withSamples(userId: UserId, ranked: Recommendation[]): Promise<Recommendation[]> {
    const first = ranked.slice(0, SAMPLED_RECOMMENDATIONS);
    if (first.length === 0) return ranked;
    const samples = await this.fills.sampleKnownFollowers(userId, first.map((r) => r.userId), GRAPH_LIMITS.knownFollowersSample);
    return ranked.map((r, i) => (i < first.length ? { ...r, sampleMutualIds: samples[i]! } : r));
  }

  async mostFollowed(limit: number): Promise<UserId[]> {
    return this.inner.mostFollowed(limit);
  }

  /** Loads the first followers page, stats, settings and block set of the most-followed users. */
  async warmMostFollowed(count: number, pageSize: number): Promise<UserId[]> {
    const ids = await this.mostFollowed(count);
    await this.getStats(ids);
    for (const id of ids) {
      await this.readListPage(WARMING_VIEWER, { kind: 'followers', userId: id }, { limit: pageSize, after: null });
    }
    return ids;
  }

  /**
   * Cache-aside over several entries (`keys`) of one family in one store call each way: hits come back
   * as `cached` strings, misses as `fresh` values loaded by `load` (given the missing indexes, in
   * order) and stored with their tickets.
   */
  private async cached<T>(
    family: CacheFamily,
    keys: string[],
    ttlSeconds: number,
    load: (missing: number[]) => Promise<T[]>,
    encode: (value: T) => string,
  ): Promise<{ cached?: string; fresh?: T }[]> {
    let read;
    try {
      read = await this.store.readEntries(keys);
    } catch {
      this.metrics.bypass(family, keys.length);
      const all = await load(keys.map((_, i) => i));
      return all.map((fresh) => ({ fresh }));
    }
    const out: { cached?: string; fresh?: T }[] = read.entries.map((e) => (e.value !== null ? { cached: e.value } : {}));
    const missing = read.entries.flatMap((e, i) => (e.value === null ? [i] : []));
    this.metrics.hit(family, keys.length - missing.length);
    this.metrics.miss(family, missing.length);
    if (missing.length === 0) return out;
    const loaded = await load(missing);
    const ttlMs = this.ttlMs(ttlSeconds);
    const fills = missing.flatMap((index, j) => {
      out[index] = { fresh: loaded[j]! };
      const ticket = read.entries[index]!.ticket;
      return ticket ? [{ key: keys[index]!, ticket, value: encode(loaded[j]!), ttlMs }] : [];
    });
    this.fillInBackground(this.store.fillEntries(read.epoch, fills));
    return out;
  }

  /**
   * Fills are not awaited: the caller has its answer, and a fill that loses its race (or fails) is
   * simply not stored. The next read from this process is sent after it on the same connection, so
   * it still finds what was filled. Under load this saves the caller a round trip at every miss.
   */
  private fillInBackground(fill: Promise<unknown>): void {
    fill.catch(() => undefined);
  }

  private ttlMs(seconds: number): number {
    return jitteredTtlMs(seconds, this.settings.jitter);
  }
}
