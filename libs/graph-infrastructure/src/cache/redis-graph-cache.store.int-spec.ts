import { Redis } from 'ioredis';
import { testInfra } from '../../../../test/setup/test-infra';
import { SpareRedis } from '../../../../test/support/spare-services';
import { graphCacheStoreContract } from './testing/graph-cache-store.contract';
import { CacheUnavailableError, cacheKey } from './graph-cache.store';
import { RedisGraphCacheStore } from './redis-graph-cache.store';
import { connectRedis, countCommands } from '../../../../test/support/redis';

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

describe('RedisGraphCacheStore reads', () => {
  it('sends the reads asked in one turn as one script call, and gives each call its own entries', async () => {
    const client = await connectRedis(testInfra.redisUrl, 500);
    const store = new RedisGraphCacheStore(client, { listWindow: 5, failureThreshold: 3, openMs: 1000 });
    try {
      const [a, b] = [cacheKey('stats', `batched-${Date.now()}`), cacheKey('mutes', `batched-${Date.now()}`)];
      const first = await store.readEntries([a]);
      await store.fillEntries(first.epoch, [{ key: a, ticket: first.entries[0]!.ticket!, value: '4:0:0', ttlMs: 60_000 }]);
      const commands = countCommands(client);
      try {
        const [x, y, z] = await Promise.all([store.readEntries([a, b]), store.readEntries([b]), store.readEntries([a])]);
        expect(commands.sent()).toBe(1);
        expect(x.entries).toEqual([{ value: '4:0:0', ticket: null }, { value: null, ticket: expect.any(String) }]);
        expect(y.entries).toEqual([{ value: null, ticket: x.entries[1]!.ticket }]);
        expect(z.entries).toEqual([{ value: '4:0:0', ticket: null }]);
        // Asked after an await: a call of its own.
        await store.readEntries([a]);
        expect(commands.sent()).toBe(2);
      } finally {
        commands.restore();
      }
    } finally {
      client.disconnect();
    }
  });
});

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

  /** Commands other than the breaker's probe (an INCR of the epoch, sent in the background once the open period is over). */
  const notProbe = (name: string) => name !== 'incr';

  it('a stalled Redis costs one command per call until the breaker opens, then none; after it, entries it missed invalidating are never read', async () => {
    const key = cacheKey('stats', `frozen-${Date.now()}`);
    await fill(key, '1:0:0');
    const epochBefore = await redis.get('graph:epoch');
    const commands = countCommands(redis);
    try {
      spare.freeze();
      // Three reads time out (one command each, not queued nor retried), which opens the breaker.
      for (let i = 0; i < 3; i++) await expect(store.readEntries([key])).rejects.toBeInstanceOf(CacheUnavailableError);
      expect(commands.sent(notProbe)).toBe(3);
      expect(store.available()).toBe(false);
      // A write's invalidation now never reaches Redis, and reads do not wait on it: nothing is sent.
      await expect(store.finishWrite({ epoch: null, keys: [] }, [{ key, op: 'drop' }])).rejects.toBeInstanceOf(CacheUnavailableError);
      for (let i = 0; i < 200; i++) await expect(store.readEntries([key])).rejects.toBeInstanceOf(CacheUnavailableError);
      expect(commands.sent(notProbe)).toBe(3);
    } finally {
      commands.restore();
    }
    spare.thaw();
    await waitAvailable();
    expect(events).toContain('open');
    // Redis still holds the stale value under the old epoch; the store reads under the new one.
    expect(await redis.hget(`${key}:e${epochBefore ?? '0'}`, 'd')).toBe('1:0:0');
    expect(await redis.get('graph:epoch')).not.toBe(epochBefore);
    expect((await store.readEntries([key])).entries[0]!.value).toBeNull();
  });

  it('a killed Redis fails calls without sending them; a restarted one is used again under a new epoch', async () => {
    const key = cacheKey('stats', 'killed');
    await fill(key, '2:0:0');
    await spare.kill();
    // The dropped connection opens the breaker by itself (an invalidation may have been lost).
    for (let i = 0; i < 200 && store.available(); i++) await sleep(10);
    expect(store.available()).toBe(false);
    const commands = countCommands(redis);
    try {
      for (let i = 0; i < 100; i++) await expect(store.readEntries([key])).rejects.toBeInstanceOf(CacheUnavailableError);
      expect(commands.sent(notProbe)).toBe(0);
    } finally {
      commands.restore();
    }
    await spare.start();
    await waitAvailable();
    expect((await store.readEntries([key])).entries[0]!.value).toBeNull();
    await fill(key, '3:0:0');
  });
});
