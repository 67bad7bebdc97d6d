import { GraphError, GraphStats, OwnedEdgeList, RateLimitedError, UnavailableError, UserId } from '@graph/domain';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { MetricsRegistry } from '../observability/metrics.registry';
import { CacheMaintainingGraphWriteRepository } from './cache-maintaining-graph-write.repository';
import { CachedGraphReadRepository } from './cached-graph-read.repository';
import { GraphCacheAdminService } from './graph-cache-admin.service';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { CacheUnavailableError, GraphCacheStore, cacheKey } from './graph-cache.store';
import { MemoryGraphCacheStore } from './memory-graph-cache.store';
import { allPages, allReadPages } from '@graph/domain/testing/page-walk';

const WINDOW = 5;
const SETTINGS = {
  ttlSeconds: { followers: 300, following: 300, relationship: 600, stats: 60, recommendations: 600 },
  jitter: 0.1,
  listWindow: WINDOW,
};
const BOUNDS = { recentFollowings: 50, perFollowing: 50 };
const id = (n: number): UserId => String(1000 + n) as UserId;

function build(store: GraphCacheStore = new MemoryGraphCacheStore(WINDOW)) {
  const graph = new InMemoryGraphStore();
  const truth = new InMemoryGraphReadRepository(graph);
  const metrics = new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false }));
  const reads = new CachedGraphReadRepository(new InMemoryGraphReadRepository(graph), store, SETTINGS, metrics);
  const writes = new CacheMaintainingGraphWriteRepository(new InMemoryGraphWriteRepository(graph), store);
  return { graph, truth, reads, writes, metrics, store };
}

type Fixture = ReturnType<typeof build>;

/** Every cached read must equal what the store itself says. */
async function expectSameAsTruth(f: Fixture, users: UserId[]): Promise<void> {
  for (const u of users) {
    expect(await f.reads.getStats([u])).toEqual(await f.truth.getStats([u]));
    expect(await f.reads.getSettings(u)).toEqual(await f.truth.getSettings(u));
    expect(await f.reads.getRelationships(u, users)).toEqual(await f.truth.getRelationships(u, users));
    // Suggestions move with other users' follows too and may lag by their TTL (docs/cache.md),
    // but the user's own writes drop them: nothing the user follows, requested or blocks is suggested.
    const relationships = await f.truth.getRelationships(u, users);
    for (const r of await f.reads.getRecommendations(u, 10, BOUNDS)) {
      const rel = relationships[users.indexOf(r.userId)];
      if (rel) expect([rel.following, rel.requested, rel.blocking, rel.blockedBy]).toEqual([false, false, false, false]);
      // The cached samples may lag their followings' follows too, but never name an account u no longer follows.
      const named = await f.truth.getRelationships(u, r.sampleMutualIds ?? []);
      expect({ u, suggested: r.userId, samples: r.sampleMutualIds, following: named.map((n) => n.following) }).toEqual({ u, suggested: r.userId, samples: r.sampleMutualIds, following: named.map(() => true) });
    }
    for (const kind of ['followers', 'following', 'incoming_requests'] as const) {
      expect(await f.reads.countEdges({ kind, userId: u })).toBe(await f.truth.countEdges({ kind, userId: u }));
    }
    for (const kind of ['followers', 'following'] as const) {
      for (const limit of [2, 3]) {
        const cached = await allPages(f.reads, { kind, userId: u }, limit);
        const real = await allPages(f.truth, { kind, userId: u }, limit);
        expect(cached).toEqual(real);
      }
      // As each other user sees the list (visibility from the cached settings, block set and relationship).
      for (const viewer of users) {
        const list: OwnedEdgeList = { kind, userId: u };
        expect({ viewer, list, pages: await allReadPages(f.reads, viewer, list, 2) }).toEqual({ viewer, list, pages: await allReadPages(f.truth, viewer, list, 2) });
      }
    }
  }
}

describe('cache decorators over the in-memory fakes', () => {
  it('a dismissal drops the actor\'s cached suggestions; "people like X" is never cached', async () => {
    const f = build();
    const [me, hub, x, y, fan] = [id(700), id(701), id(702), id(703), id(704)];
    await f.writes.follow(me, hub);
    await f.writes.follow(hub, x);
    await f.writes.follow(hub, y);
    await f.writes.follow(fan, hub);
    await f.writes.follow(fan, y);
    expect((await f.reads.getRecommendations(me, 10, BOUNDS)).map((r) => r.userId)).toEqual([x, y]); // now cached
    expect(await f.writes.dismissRecommendation(me, x)).toEqual({ changed: true });
    expect((await f.reads.getRecommendations(me, 10, BOUNDS)).map((r) => r.userId)).toEqual([y]);
    const inner = jest.spyOn(InMemoryGraphReadRepository.prototype, 'getRecommendations');
    expect(await f.reads.getRecommendations(me, 10, BOUNDS, hub)).toEqual([{ userId: y, mutualCount: 1 }]);
    expect(await f.reads.getRecommendations(me, 10, BOUNDS, hub)).toEqual([{ userId: y, mutualCount: 1 }]);
    expect(inner.mock.calls.filter((c) => c[3] === hub)).toHaveLength(2); // each call reached the adapter
    inner.mockRestore();
  });

  it('caches the first suggestions with their samples of known followers, so a hit reads nothing else', async () => {
    const f = build();
    const me = id(800);
    const hubs = [id(801), id(802), id(803), id(804)];
    const suggested = Array.from({ length: 12 }, (_, i) => id(810 + i));
    for (const hub of hubs) await f.writes.follow(me, hub);
    // Suggestion i is followed by the first (i % 4) + 1 hubs.
    for (const [i, s] of suggested.entries()) for (const hub of hubs.slice(0, (i % 4) + 1)) await f.writes.follow(hub, s);
    const expected = async () => {
      const ranked = await f.truth.getRecommendations(me, 50, BOUNDS);
      const samples = await f.truth.sampleKnownFollowers(me, ranked.slice(0, 10).map((r) => r.userId), 3);
      return ranked.map((r, i) => (i < 10 ? { ...r, sampleMutualIds: samples[i] } : r));
    };
    expect(await f.reads.getRecommendations(me, 50, BOUNDS)).toEqual(await expected()); // the miss, filled
    const sampling = jest.spyOn(InMemoryGraphReadRepository.prototype, 'sampleKnownFollowers');
    const ranking = jest.spyOn(InMemoryGraphReadRepository.prototype, 'getRecommendations');
    const hit = await f.reads.getRecommendations(me, 50, BOUNDS);
    expect(hit).toEqual(await expected());
    expect(hit.filter((r) => r.sampleMutualIds)).toHaveLength(10);
    expect(hit[0]!.sampleMutualIds).toHaveLength(3);
    expect(sampling).toHaveBeenCalledTimes(1); // by expected(), not by the hit
    expect(ranking).toHaveBeenCalledTimes(1); // likewise
    sampling.mockRestore();
    ranking.mockRestore();
    // My own unfollow drops the entry: no sample names the account I left.
    await f.writes.unfollow(me, hubs[0]!);
    const after = await f.reads.getRecommendations(me, 50, BOUNDS);
    expect(after).toEqual(await expected());
    expect(after.flatMap((r) => r.sampleMutualIds ?? [])).not.toContain(hubs[0]);
  });

  it('answer exactly what the store holds after every kind of write (random walk, in-place updates included)', async () => {
    const f = build();
    const users = Array.from({ length: 8 }, (_, i) => id(i));
    const celebrity = users[0]!;
    let seed = 42;
    // mulberry32: a small deterministic generator, so a failure replays
    const rand = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = (): UserId => users[rand(users.length)]!;
    for (let step = 0; step < 300; step++) {
      const a = pick();
      const b = rand(3) === 0 ? celebrity : pick();
      const roll = rand(100);
      try {
        if (a === b) continue;
        if (roll < 45) await f.writes.follow(a, b);
        else if (roll < 60) await f.writes.unfollow(a, b);
        else if (roll < 70) await f.writes.respondToRequest(b, a, rand(2) ? 'accept' : 'reject');
        else if (roll < 76) await f.writes.removeFollower(b, a);
        else if (roll < 81) await f.writes.block(a, b);
        else if (roll < 88) await f.writes.unblock(a, b);
        else if (roll < 93) await f.writes.setPrivacy(a, rand(2) === 0);
        else if (roll < 97) await f.writes.updateSettings(a, { isPrivate: rand(2) === 0, policies: rand(2) ? { followersVisibility: rand(2) ? 'followers' : 'public' } : {} });
        else await f.writes.eraseUser(a);
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
      }
      if (step % 10 === 0) await expectSameAsTruth(f, users);
      else await expectSameAsTruth(f, [a, b]);
    }
    const figures = f.metrics.snapshot();
    expect(figures.find((x) => x.family === 'followers')!.hits).toBeGreaterThan(100);
  });

  it('keeps a hot list warm: follows update the cached first page in place instead of dropping it', async () => {
    const f = build();
    const star = id(100);
    for (let i = 0; i < 12; i++) await f.writes.follow(id(200 + i), star);
    await f.reads.listEdges({ kind: 'followers', userId: star }, { limit: 3, after: null });
    await f.reads.getStats([star]);
    const before = f.metrics.snapshot();
    for (let i = 12; i < 30; i++) {
      await f.writes.follow(id(200 + i), star);
      const page = await f.reads.listEdges({ kind: 'followers', userId: star }, { limit: 3, after: null });
      expect(page.items[0]!.userId).toBe(id(200 + i));
      expect((await f.reads.getStats([star]))[0]!.followerCount).toBe(i + 1);
    }
    const after = f.metrics.snapshot();
    const delta = (family: string, field: 'hits' | 'misses'): number =>
      after.find((x) => x.family === family)![field] - before.find((x) => x.family === family)![field];
    expect(delta('followers', 'hits')).toBe(18);
    expect(delta('followers', 'misses')).toBe(0);
    expect(delta('stats', 'hits')).toBe(18);
    expect(delta('stats', 'misses')).toBe(0);
  });

  it('answers a warm list page in one store call and no repository call; access comes from the cached entries', async () => {
    const graph = new InMemoryGraphStore();
    const store = new MemoryGraphCacheStore(WINDOW);
    const inner = new InMemoryGraphReadRepository(graph);
    const metrics = new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false }));
    const reads = new CachedGraphReadRepository(inner, store, SETTINGS, metrics);
    const writes = new CacheMaintainingGraphWriteRepository(new InMemoryGraphWriteRepository(graph), store);
    const [owner, viewer, fan] = [id(800), id(801), id(802)];
    await writes.follow(fan, owner);
    await writes.block(owner, id(803));
    const list: OwnedEdgeList = { kind: 'followers', userId: owner };
    const page = { limit: 20, after: null };
    expect(await reads.readListPage(viewer, list, page)).toMatchObject({ access: 'ok', total: 1 });
    const expected = await inner.readListPage(viewer, list, page);
    const spyAll = (o: object, methods: string[]) => methods.map((m) => [m, jest.spyOn(o as Record<string, () => unknown>, m)] as const);
    const storeCalls = spyAll(store, ['readEntries', 'fillEntries', 'readListPage', 'readList', 'fillList', 'beginWrite', 'finishWrite', 'drop', 'invalidateAll']);
    const innerCalls = spyAll(inner, [
      'getSettings',
      'getRelationships',
      'getStats',
      'listEdges',
      'countEdges',
      'readListPage',
      'filterFollowed',
      'getRecommendations',
      'mostFollowed',
    ]);
    const called = (spies: (readonly [string, jest.SpyInstance])[]) => spies.filter(([, s]) => s.mock.calls.length > 0).map(([m, s]) => [m, s.mock.calls.length]);
    const hits = (): number => metrics.snapshot().find((x) => x.family === 'followers')!.hits;
    const before = hits();
    expect(await reads.readListPage(viewer, list, page)).toEqual(expected);
    expect(await reads.readListPage(id(803), list, page)).toEqual({ access: 'blocked' });
    expect(hits()).toBe(before + 2);
    expect(called(innerCalls)).toEqual([]);
    expect(called(storeCalls)).toEqual([['readListPage', 2]]);
  });

  it('asks the relationship only for a private owner, or one blocking more accounts than a block set keeps', async () => {
    const f = build();
    const [priv, fan, stranger, busy] = [id(900), id(901), id(902), id(903)];
    await f.writes.setPrivacy(priv, true);
    await f.writes.follow(fan, priv);
    await f.writes.respondToRequest(priv, fan, 'accept');
    for (let i = 0; i < 1001; i++) await f.writes.block(busy, id(10_000 + i));
    const page = { limit: 20, after: null };
    for (let round = 0; round < 2; round++) {
      expect(await f.reads.readListPage(fan, { kind: 'followers', userId: priv }, page)).toMatchObject({ access: 'ok', total: 1 });
      expect(await f.reads.readListPage(stranger, { kind: 'following', userId: priv }, page)).toEqual({ access: 'private' });
      expect(await f.reads.readListPage(id(10_500), { kind: 'followers', userId: busy }, page)).toEqual({ access: 'blocked' });
      expect(await f.reads.readListPage(stranger, { kind: 'followers', userId: busy }, page)).toMatchObject({ access: 'ok', total: 0 });
    }
    // Read-your-writes through the block set: a block, then an unblock, show at once.
    await f.writes.block(priv, fan);
    expect(await f.reads.readListPage(fan, { kind: 'followers', userId: priv }, page)).toEqual({ access: 'blocked' });
    await f.writes.unblock(priv, fan);
    expect(await f.reads.readListPage(fan, { kind: 'followers', userId: priv }, page)).toEqual({ access: 'private' });
    await f.writes.setPrivacy(priv, false);
    expect(await f.reads.readListPage(fan, { kind: 'followers', userId: priv }, page)).toMatchObject({ access: 'ok', total: 0 });
  });

  it('read-your-writes: after a follow returns, relationship, following list and stats show it', async () => {
    const f = build();
    const [me, you] = [id(300), id(301)];
    await f.reads.getRelationships(me, [you]);
    await f.reads.listEdges({ kind: 'following', userId: me }, { limit: 20, after: null });
    await f.reads.getStats([you]);
    await f.writes.follow(me, you);
    expect((await f.reads.getRelationships(me, [you]))[0]!.following).toBe(true);
    expect((await f.reads.listEdges({ kind: 'following', userId: me }, { limit: 20, after: null })).items.map((i) => i.userId)).toEqual([you]);
    expect((await f.reads.getStats([you]))[0]!.followerCount).toBe(1);
  });

  it('never lets a read that started before a write store its stale result (race on the fill)', async () => {
    const f = build();
    const [a, b] = [id(400), id(401)];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The Postgres read answers with what it saw, but only after the write below has returned.
    const slowInner = new InMemoryGraphReadRepository(f.graph);
    const stale = slowInner.getStats.bind(slowInner);
    slowInner.getStats = async (ids: UserId[]): Promise<GraphStats[]> => {
      const seen = await stale(ids);
      await gate;
      return seen;
    };
    const racingReads = new CachedGraphReadRepository(slowInner, f.store, SETTINGS, f.metrics);
    const pending = racingReads.getStats([b]);
    await new Promise((r) => setImmediate(r));
    await f.writes.follow(a, b);
    release();
    expect((await pending)[0]!.followerCount).toBe(0);
    // The old count was not cached over the write: the next read is exact.
    expect((await f.reads.getStats([b]))[0]!.followerCount).toBe(1);
    expect((await f.reads.getStats([b]))[0]!.followerCount).toBe(1);
  });

  it('serves everything from the repositories when the store fails', async () => {
    const failing = new (class extends MemoryGraphCacheStore {
      override async readEntries(): Promise<never> {
        throw new CacheUnavailableError('down');
      }
      override async readList(): Promise<never> {
        throw new CacheUnavailableError('down');
      }
      override async readListPage(): Promise<never> {
        throw new CacheUnavailableError('down');
      }
      override async beginWrite(): Promise<never> {
        throw new CacheUnavailableError('down');
      }
      override async finishWrite(): Promise<never> {
        throw new CacheUnavailableError('down');
      }
    })(WINDOW);
    const f = build(failing);
    const users = [id(500), id(501), id(502)];
    await f.writes.follow(users[0]!, users[1]!);
    await f.writes.follow(users[2]!, users[1]!);
    await expectSameAsTruth(f, users);
    expect(f.metrics.snapshot().find((x) => x.family === 'stats')!.bypassed).toBeGreaterThan(0);
  });

  it('warms the most-followed users and evicts one user', async () => {
    const f = build();
    for (let i = 0; i < 4; i++) await f.writes.follow(id(600 + i), id(700));
    await f.writes.follow(id(600), id(701));
    const admin = new GraphCacheAdminService(f.reads, f.store, f.metrics);
    expect(await admin.warmMostFollowed(2)).toEqual({ warmedUserIds: [id(700), id(701)] });
    const before = f.metrics.snapshot().find((x) => x.family === 'followers')!.hits;
    await f.reads.listEdges({ kind: 'followers', userId: id(700) }, { limit: 20, after: null });
    expect(f.metrics.snapshot().find((x) => x.family === 'followers')!.hits).toBe(before + 1);
    await admin.evictUser(id(700));
    await f.reads.listEdges({ kind: 'followers', userId: id(700) }, { limit: 20, after: null });
    expect(f.metrics.snapshot().find((x) => x.family === 'followers')!.hits).toBe(before + 1);
    const rates = await admin.hitRates();
    expect(rates.find((r) => r.family === 'followers')!.hitRate).toBeGreaterThan(0);
  });

  it('counts an eviction or a drop-all as done while the store is unreachable (its recovery retires every entry), and passes other failures on', async () => {
    const unreachable = new (class extends MemoryGraphCacheStore {
      override async drop(): Promise<never> {
        throw new CacheUnavailableError('circuit open');
      }
      override async invalidateAll(): Promise<never> {
        throw new CacheUnavailableError('circuit open');
      }
    })(WINDOW);
    const f = build(unreachable);
    const admin = new GraphCacheAdminService(f.reads, f.store, f.metrics);
    await expect(admin.evictUser(id(800))).resolves.toBeUndefined();
    await expect(admin.invalidateAll()).resolves.toBeUndefined();

    const broken = new (class extends MemoryGraphCacheStore {
      override async drop(): Promise<never> {
        throw new TypeError('a bug, not an outage');
      }
    })(WINDOW);
    const g = build(broken);
    await expect(new GraphCacheAdminService(g.reads, g.store, g.metrics).evictUser(id(801))).rejects.toThrow(TypeError);
  });

  // A query the client gave up on (UNAVAILABLE after the query timeout) can still commit afterwards.
  // Its keys stay announced, so a read in between is not stored and cannot hide that late commit.
  it('keeps the keys of a write of unknown outcome unfillable, so a late commit is never hidden by a fill', async () => {
    const store = new MemoryGraphCacheStore(WINDOW);
    const graph = new InMemoryGraphStore();
    const truth = new InMemoryGraphReadRepository(graph);
    const metrics = new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false }));
    const reads = new CachedGraphReadRepository(new InMemoryGraphReadRepository(graph), store, SETTINGS, metrics);
    const timingOut = new (class extends InMemoryGraphWriteRepository {
      override async follow(): Promise<never> {
        throw new UnavailableError('query read timeout');
      }
      override async block(): Promise<never> {
        throw new UnavailableError('query read timeout');
      }
    })(graph);
    const writes = new CacheMaintainingGraphWriteRepository(timingOut, store);
    const late = new InMemoryGraphWriteRepository(graph);
    const [a, b, c] = [id(900), id(901), id(902)];
    await late.follow(c, b);
    await reads.getStats([a, b]);
    await reads.getRelationships(c, [b]);

    await expect(writes.follow(a, b)).rejects.toThrow(UnavailableError);
    expect(await reads.getStats([a, b])).toEqual(await truth.getStats([a, b])); // read from Postgres, not stored
    await late.follow(a, b); // the timed-out statement commits after all
    expect(await reads.getStats([a, b])).toEqual(await truth.getStats([a, b]));
    expect(await reads.listEdges({ kind: 'followers', userId: b }, { limit: 20, after: null })).toEqual(
      await truth.listEdges({ kind: 'followers', userId: b }, { limit: 20, after: null }),
    );

    await expect(writes.block(b, c)).rejects.toThrow(UnavailableError);
    expect(await reads.getRelationships(c, [b])).toEqual(await truth.getRelationships(c, [b]));
    await late.block(b, c);
    expect(await reads.getRelationships(c, [b])).toEqual(await truth.getRelationships(c, [b]));
  });
  // The use case passes its rate-limit count as the follow's admission, so the announcement can share
  // its Redis round trip: it must go out before the admission is decided, and be ended when refused.
  it('announces a follow while its admission is decided, and ends the announcement when it is refused', async () => {
    const f = build();
    const begin = jest.spyOn(f.store, 'beginWrite');
    const finish = jest.spyOn(f.store, 'finishWrite');
    const [a, b] = [id(950), id(951)];
    let refuse!: (e: Error) => void;
    const admission = new Promise<void>((_, reject) => (refuse = reject));
    const follow = f.writes.follow(a, b, undefined, undefined, admission);
    await new Promise((resolve) => setImmediate(resolve));
    expect(begin).toHaveBeenCalledTimes(1); // announced, admission still open
    refuse(new RateLimitedError(3));
    await expect(follow).rejects.toBeInstanceOf(RateLimitedError);
    expect(finish).toHaveBeenCalledWith(await begin.mock.results[0]!.value, []);
    expect(await f.truth.getStats([b])).toEqual(await f.reads.getStats([b]));
    await f.reads.getStats([b]); // filled: the announcement is over
    const { entries } = await f.store.readEntries([cacheKey('stats', b)]);
    expect(entries[0]!.value).not.toBeNull();
  });
});
