import { Redis } from 'ioredis';
import { testInfra } from '../../../../test/setup/test-infra';
import { SpareRedis } from '../../../../test/support/spare-services';
import { graphCacheStoreContract } from './testing/graph-cache-store.contract';
import { CacheUnavailableError, cacheKey } from './graph-cache.store';
import { RedisGraphCacheStore } from './redis-graph-cache.store';
import { connectRedis } from '../../../../test/support/redis';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let shared: Redis;
graphCacheStoreContract(
  'Redis',
  async () => {
    shared = await connectRedis(testInfra.redisUrl, 500);
    return { store: new RedisGraphCacheStore(shared, { listWindow: 5, failureThreshold: 3, openMs: 1000 }) };
  },
  async () => shared.quit().then(() => undefined),
);

describe('RedisGraphCacheStore when Redis fails', () => {
  let spare: SpareRedis;
  let redis: Redis;
  let store: RedisGraphCacheStore;
  const events: string[] = [];

  beforeAll(async () => {
    spare = await SpareRedis.start();
    redis = await connectRedis(spare.url);
    store = new RedisGraphCacheStore(redis, {
      listWindow: 5,
      failureThreshold: 3,
      openMs: 300,
      onBreaker: (open) => events.push(open ? 'open' : 'closed'),
      onEpochBump: (epoch) => events.push(`epoch ${epoch}`),
    });
  });
  afterAll(async () => {
    redis.disconnect();
    spare.thaw();
    await spare.kill();
  });

  async function fill(key: string, value: string): Promise<void> {
    const r = await store.readEntries([key]);
    await store.fillEntries(r.epoch, [{ key, ticket: r.entries[0]!.ticket!, value, ttlMs: 60_000 }]);
    expect((await store.readEntries([key])).entries[0]!.value).toBe(value);
  }

  async function waitAvailable(): Promise<void> {
    for (let i = 0; i < 200 && !store.available(); i++) {
      await store.readEntries([cacheKey('stats', 'probe')]).catch(() => undefined);
      await sleep(25);
    }
    expect(store.available()).toBe(true);
  }

  it('a stalled Redis costs a few command timeouts, then the breaker answers at once; after it, entries it missed invalidating are never read', async () => {
    const key = cacheKey('stats', `frozen-${Date.now()}`);
    await fill(key, '1:0:0');
    const epochBefore = await redis.get('graph:epoch');
    spare.freeze();
    // Three reads time out (50 ms each), which opens the breaker.
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      await expect(store.readEntries([key])).rejects.toBeInstanceOf(CacheUnavailableError);
      expect(Date.now() - t).toBeLessThan(200);
    }
    expect(store.available()).toBe(false);
    // A write's invalidation now never reaches Redis.
    await expect(store.finishWrite({ epoch: null, keys: [] }, [{ key, op: 'drop' }])).rejects.toBeInstanceOf(CacheUnavailableError);
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      await expect(store.readEntries([key])).rejects.toBeInstanceOf(CacheUnavailableError);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    latencies.sort((a, b) => a - b);
    expect(latencies[Math.floor(latencies.length * 0.5)]).toBeLessThan(1);
    expect(latencies[Math.floor(latencies.length * 0.99)]).toBeLessThan(20);
    expect(latencies[latencies.length - 1]).toBeLessThan(50);
    spare.thaw();
    await waitAvailable();
    expect(events).toContain('open');
    // Redis still holds the stale value under the old epoch; the store reads under the new one.
    expect(await redis.hget(`${key}:e${epochBefore ?? '0'}`, 'd')).toBe('1:0:0');
    expect(await redis.get('graph:epoch')).not.toBe(epochBefore);
    expect((await store.readEntries([key])).entries[0]!.value).toBeNull();
  });

  it('a killed Redis fails calls at once; a restarted one is used again under a new epoch', async () => {
    const key = cacheKey('stats', 'killed');
    await fill(key, '2:0:0');
    await spare.kill();
    await sleep(50);
    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t = process.hrtime.bigint();
      await expect(store.readEntries([key])).rejects.toBeInstanceOf(CacheUnavailableError);
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    expect(Math.max(...latencies)).toBeLessThan(60);
    expect(store.available()).toBe(false);
    await spare.start();
    await waitAvailable();
    expect((await store.readEntries([key])).entries[0]!.value).toBeNull();
    await fill(key, '3:0:0');
  });
});
