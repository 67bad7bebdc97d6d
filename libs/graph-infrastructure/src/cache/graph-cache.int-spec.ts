import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { EdgeList, GraphError, GraphStats, OwnedEdgeList, UserId } from '@graph/domain';
import { describeGraphReadRepositoryContract } from '@graph/domain/testing/graph-read.repository.contract';
import { createDataSource } from '../postgres/data-source';
import { TypeOrmGraphReadRepository } from '../postgres/typeorm-graph-read.repository';
import { TypeOrmGraphWriteRepository } from '../postgres/typeorm-graph-write.repository';
import { MetricsRegistry } from '../observability/metrics.registry';
import { testInfra } from '../../../../test/setup/test-infra';
import { seedGraphSql } from '../../../../test/support/graph-sql-seed';
import { SpareRedis } from '../../../../test/support/spare-services';
import { freshUserId } from '../../../../test/support/test-app';
import { CacheMaintainingGraphWriteRepository } from './cache-maintaining-graph-write.repository';
import { CachedGraphReadRepository } from './cached-graph-read.repository';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { RedisGraphCacheStore } from './redis-graph-cache.store';
import { allPages, allReadPages } from '@graph/domain/testing/page-walk';
import { connectRedis, countCommands } from '../../../../test/support/redis';

const SETTINGS = {
  ttlSeconds: { followers: 300, following: 300, relationship: 600, stats: 60, recommendations: 600 },
  jitter: 0.1,
  listWindow: 5,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ids = (n: number): UserId[] => Array.from({ length: n }, () => freshUserId() as UserId);

let db: DataSource;
let redis: Redis;
beforeAll(async () => {
  db = createDataSource(testInfra.databaseUrl, 6, 10000);
  await db.initialize();
  redis = await connectRedis(testInfra.redisUrl, 500);
});
afterAll(async () => {
  await db.destroy();
  redis.disconnect();
});

function stack(client: Redis, openMs = 1000) {
  const metrics = new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false }));
  const store = new RedisGraphCacheStore(client, { listWindow: SETTINGS.listWindow, failureThreshold: 3, openMs });
  const truth = new TypeOrmGraphReadRepository(db);
  return {
    truth,
    store,
    metrics,
    reads: new CachedGraphReadRepository(new TypeOrmGraphReadRepository(db), store, SETTINGS, metrics),
    writes: new CacheMaintainingGraphWriteRepository(new TypeOrmGraphWriteRepository(db), store),
  };
}

// The read contract through the cache: cached answers must be exactly the adapter's.
describeGraphReadRepositoryContract('PostgreSQL behind the Redis cache', async () => {
  const s = stack(redis);
  return { repo: s.reads, seed: (graph) => seedGraphSql(db, graph) };
});

async function expectSameAsPostgres(s: ReturnType<typeof stack>, users: UserId[]): Promise<void> {
  for (const u of users) {
    expect(await s.reads.getStats([u])).toEqual(await s.truth.getStats([u]));
    expect(await s.reads.getSettings(u)).toEqual(await s.truth.getSettings(u));
    expect(await s.reads.getRelationships(u, users)).toEqual(await s.truth.getRelationships(u, users));
    for (const kind of ['followers', 'following'] as const) {
      expect(await s.reads.countEdges({ kind, userId: u })).toBe(await s.truth.countEdges({ kind, userId: u }));
      expect(await allPages(s.reads, { kind, userId: u }, 2)).toEqual(await allPages(s.truth, { kind, userId: u }, 2));
      for (const viewer of users) {
        const list: OwnedEdgeList = { kind, userId: u };
        expect({ viewer, list, pages: await allReadPages(s.reads, viewer, list, 2) }).toEqual({ viewer, list, pages: await allReadPages(s.truth, viewer, list, 2) });
      }
    }
  }
}

describe('graph cache on Postgres and Redis', () => {
  it('answers exactly what Postgres holds after every kind of write (random walk, lists past the window)', async () => {
    const s = stack(redis);
    const users = ids(7);
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    for (let step = 0; step < 80; step++) {
      const a = users[rand(users.length)]!;
      const b = rand(3) === 0 ? users[0]! : users[rand(users.length)]!;
      if (a === b) continue;
      const roll = rand(100);
      try {
        if (roll < 50) await s.writes.follow(a, b);
        else if (roll < 65) await s.writes.unfollow(a, b);
        else if (roll < 75) await s.writes.respondToRequest(b, a, rand(2) ? 'accept' : 'reject');
        else if (roll < 80) await s.writes.removeFollower(b, a);
        else if (roll < 85) await s.writes.block(a, b);
        else if (roll < 90) await s.writes.unblock(a, b);
        else if (roll < 98) await s.writes.setPrivacy(a, rand(2) === 0);
        else await s.writes.eraseUser(a);
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
      }
      await expectSameAsPostgres(s, step % 10 === 0 ? users : [a, b]);
    }
    expect(s.metrics.snapshot().find((x) => x.family === 'followers')!.hits).toBeGreaterThan(50);
  });

  it('keeps Postgres cursors exact on cached pages of a list longer than the window, and deeper pages come from Postgres', async () => {
    const s = stack(redis);
    const [star, ...fans] = ids(13);
    for (const fan of fans) await s.writes.follow(fan, star!);
    const list: EdgeList = { kind: 'followers', userId: star! };
    const first = await allPages(s.reads, list, 2);
    const again = await allPages(s.reads, list, 2);
    expect(again).toEqual(await allPages(s.truth, list, 2));
    expect(first).toEqual(again);
    expect(first.flatMap((p) => p.items).map((i) => i.userId)).toEqual([...fans].reverse());
  });

  it('does not let a read that started before a follow cache its stale count (race on the fill)', async () => {
    const s = stack(redis);
    const [a, b] = ids(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new TypeOrmGraphReadRepository(db);
    const real = slow.getStats.bind(slow);
    slow.getStats = async (userIds: UserId[]): Promise<GraphStats[]> => {
      const seen = await real(userIds);
      await gate;
      return seen;
    };
    const racing = new CachedGraphReadRepository(slow, s.store, SETTINGS, s.metrics);
    const pending = racing.getStats([b!]);
    await sleep(30);
    await s.writes.follow(a!, b!);
    release();
    expect((await pending)[0]!.followerCount).toBe(0);
    expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(1);
    expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(1);
  });

  it('keeps counters exact under concurrent follows of one account (in-place deltas never double count)', async () => {
    const s = stack(redis);
    const [star, ...fans] = ids(41);
    await s.reads.getStats([star!]);
    await s.reads.listEdges({ kind: 'followers', userId: star! }, { limit: 2, after: null });
    await Promise.all(
      fans.map(async (fan, i) => {
        await s.writes.follow(fan, star!);
        if (i % 2 === 0) await s.reads.getStats([star!]);
      }),
    );
    expect(await s.reads.getStats([star!])).toEqual(await s.truth.getStats([star!]));
    expect((await s.reads.getStats([star!]))[0]!.followerCount).toBe(40);
    expect(await allPages(s.reads, { kind: 'followers', userId: star! }, 3)).toEqual(await allPages(s.truth, { kind: 'followers', userId: star! }, 3));
  });
});

describe('graph cache when its Redis fails', () => {
  let spare: SpareRedis;
  let client: Redis;
  beforeAll(async () => {
    spare = await SpareRedis.start();
    client = await connectRedis(spare.url);
  });
  afterAll(async () => {
    client.disconnect();
    spare.thaw();
    await spare.kill();
  });

  /** Commands other than the breaker's probe (an INCR of the epoch, sent in the background once the open period is over). */
  const notProbe = (name: string) => name !== 'incr';

  async function recover(s: ReturnType<typeof stack>): Promise<void> {
    for (const deadline = Date.now() + 20000; Date.now() < deadline && !s.store.available(); ) {
      await s.reads.getStats(ids(1));
      await sleep(25);
    }
    expect(s.store.available()).toBe(true);
  }

  it('stalled Redis: every call succeeds from Postgres, Redis is left alone once the breaker opens; afterwards nothing from before is served', async () => {
    // Open longer than the 150 reads below take on a loaded machine: no probe falls inside the count.
    const s = stack(client, 5000);
    const [a, b, c] = ids(3);
    await s.writes.follow(c!, b!);
    // Cached before the outage: b has one follower, a follows nobody.
    expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(1);
    expect((await s.reads.listEdges({ kind: 'following', userId: a! }, { limit: 20, after: null })).items).toEqual([]);
    expect((await s.reads.getRelationships(a!, [b!]))[0]!.following).toBe(false);

    const commands = countCommands(client);
    try {
      spare.freeze();
      // The write's announcement times out (one command), which opens the breaker at once.
      await s.writes.follow(a!, b!);
      expect(s.store.available()).toBe(false);
      const beforeOpen = commands.sent(notProbe);
      for (let i = 0; i < 50; i++) {
        expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(2);
        expect((await s.reads.getRelationships(a!, [b!]))[0]!.following).toBe(true);
        expect((await s.reads.listEdges({ kind: 'following', userId: a! }, { limit: 20, after: null })).items).toHaveLength(1);
      }
      // At most the calls in flight when it opened paid a command timeout; the 150 reads sent nothing.
      expect(beforeOpen).toBeLessThanOrEqual(3);
      expect(commands.sent(notProbe)).toBe(beforeOpen);
    } finally {
      commands.restore();
    }
    expect(s.metrics.snapshot().find((x) => x.family === 'stats')!.bypassed).toBeGreaterThan(0);

    spare.thaw();
    await recover(s);
    // Redis still holds the pre-outage entries (b: 1 follower, a: following nobody) under the old epoch.
    expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(2);
    expect((await s.reads.getRelationships(a!, [b!]))[0]!.following).toBe(true);
    expect((await s.reads.listEdges({ kind: 'following', userId: a! }, { limit: 20, after: null })).items.map((i) => i.userId)).toEqual([b]);
  });

  it('killed Redis: calls keep succeeding without sending anything to it; after a restart the cache is used again and exact', async () => {
    const s = stack(client, 300);
    const [a, b] = ids(2);
    await s.reads.getStats([b!]);
    await spare.kill();
    // The dropped connection opens the breaker by itself (an invalidation may have been lost).
    for (let i = 0; i < 200 && s.store.available(); i++) await sleep(10);
    expect(s.store.available()).toBe(false);
    const commands = countCommands(client);
    try {
      await s.writes.follow(a!, b!);
      for (let i = 0; i < 50; i++) expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(1);
      expect(commands.sent(notProbe)).toBe(0);
    } finally {
      commands.restore();
    }
    expect(s.metrics.snapshot().find((x) => x.family === 'stats')!.bypassed).toBeGreaterThan(0);
    await spare.start();
    await recover(s);
    expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(1);
    await s.writes.unfollow(a!, b!);
    expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(0);
    const hitsBefore = s.metrics.snapshot().find((x) => x.family === 'stats')!.hits;
    expect((await s.reads.getStats([b!]))[0]!.followerCount).toBe(0);
    expect(s.metrics.snapshot().find((x) => x.family === 'stats')!.hits).toBe(hitsBefore + 1);
  });
});
