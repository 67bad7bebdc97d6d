import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { GetRelationshipsUseCase } from '@graph/application';
import { testInfra } from '../../../../test/setup/test-infra';
import { connectRedis, countCommands } from '../../../../test/support/redis';
import { freshUserId } from '../../../../test/support/test-app';
import { MetricsRegistry } from '../observability/metrics.registry';
import { createDataSource } from '../postgres/data-source';
import { TypeOrmGraphReadRepository } from '../postgres/typeorm-graph-read.repository';
import { TypeOrmGraphWriteRepository } from '../postgres/typeorm-graph-write.repository';
import { TypeOrmMuteRepository } from '../postgres/typeorm-mute.repository';
import { CacheMaintainingGraphWriteRepository } from './cache-maintaining-graph-write.repository';
import { CachedGraphReadRepository } from './cached-graph-read.repository';
import { CachedMuteRepository } from './cached-mute.repository';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { RedisGraphCacheStore } from './redis-graph-cache.store';
import { cachedMutesContract } from './testing/cached-mutes.contract';

const SETTINGS = { ttlSeconds: { followers: 300, following: 300, relationship: 600, stats: 60, recommendations: 600 }, jitter: 0.1, listWindow: 5 };
const forever = { notifications: true, scope: 'all' as const, expiresAt: null };

let db: DataSource;
let redis: Redis;
let store: RedisGraphCacheStore;
beforeAll(async () => {
  db = createDataSource(testInfra.databaseUrl, 6, 10000);
  await db.initialize();
  redis = await connectRedis(testInfra.redisUrl, 500);
  store = new RedisGraphCacheStore(redis, { listWindow: 5, failureThreshold: 3, openMs: 1000 });
});
afterAll(async () => {
  await db.destroy();
  redis.disconnect();
});

cachedMutesContract('Redis and PostgreSQL', async () => ({ inner: new TypeOrmMuteRepository(db), store, newUserId: () => freshUserId() as UserId }));

describe('a cached relationship on Redis and PostgreSQL', () => {
  it('costs one Redis round trip and no Postgres query once cached, mutes included, and is right after each mute write', async () => {
    const metrics = new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false }));
    const graph = new CachedGraphReadRepository(new TypeOrmGraphReadRepository(db), store, SETTINGS, metrics);
    const graphWrites = new CacheMaintainingGraphWriteRepository(new TypeOrmGraphWriteRepository(db), store);
    const mutes = new CachedMuteRepository(new TypeOrmMuteRepository(db), store, SETTINGS, metrics);
    const relationships = new GetRelationshipsUseCase(graph, mutes);
    const [a, b] = [freshUserId() as UserId, freshUserId() as UserId];
    await graphWrites.follow(a, b);
    await mutes.mute(a, b, { ...forever, notifications: false });
    const view = async () => (await relationships.execute({ viewerId: a, userIds: [b] }))[0]!;
    expect(await view()).toMatchObject({ following: true, muting: true, mutingNotifications: false });
    await view(); // the first view's fills, sent in the background, are behind this one
    const queries = jest.spyOn(db, 'query');
    const commands = countCommands(redis);
    try {
      expect(await view()).toMatchObject({ following: true, muting: true, mutingNotifications: false, mutingExpiresAt: null });
      expect(queries).not.toHaveBeenCalled();
      // The relationship and the mute set: read by one script call.
      expect(commands.sent()).toBe(1);
    } finally {
      commands.restore();
      queries.mockRestore();
    }
    // The muted account sees nothing of it, and the muter sees each change at once.
    expect(await relationships.execute({ viewerId: b, userIds: [a] })).toEqual([expect.objectContaining({ followedBy: true, muting: false, mutingNotifications: false, mutingExpiresAt: null })]);
    const expiresAt = new Date(Date.now() + 3600_000);
    await mutes.mute(a, b, { ...forever, expiresAt });
    expect(await view()).toMatchObject({ muting: true, mutingNotifications: true, mutingExpiresAt: expiresAt });
    await mutes.unmute(a, b);
    expect(await view()).toMatchObject({ following: true, muting: false });
  });
});
