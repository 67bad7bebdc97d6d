import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { UserId } from '@graph/domain';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { SpareRedisCluster } from '../../../../test/support/spare-services';
import { connectRedisCluster } from '../../../../test/support/redis';
import { MetricsRegistry } from '../observability/metrics.registry';
import { RedisRateLimiter } from '../redis/redis-rate-limiter';
import { cachedMutesContract } from './testing/cached-mutes.contract';
import { graphCacheStoreContract } from './testing/graph-cache-store.contract';
import { CacheUnavailableError, cacheKey } from './graph-cache.store';
import { RedisGraphCacheStore } from './redis-graph-cache.store';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The port of the master serving `key`'s slot, as the client's slot table says. */
function masterPortOf(cluster: Cluster, key: string): number {
  return Number(cluster.slots[calculateSlot(key)]![0]!.split(':')[1]);
}

/** 3 masters + 3 replicas of the test's own, cluster-node-timeout 2000 ms. */
describe('on a Redis Cluster (3 masters + 3 replicas)', () => {
  let spare: SpareRedisCluster;
  let shared: Cluster;
  beforeAll(async () => {
    spare = await SpareRedisCluster.start({ masters: 3, nodeTimeoutMs: 2000 });
    shared = await connectRedisCluster(spare.nodes, 500);
  }, 60000);
  afterAll(async () => {
    shared?.disconnect();
    await spare?.stop();
  });

  graphCacheStoreContract('Redis Cluster', async () => ({ store: new RedisGraphCacheStore(shared, { listWindow: 5, failureThreshold: 3, openMs: 1000 }) }));

  let nextMuter = 8_000_000n;
  cachedMutesContract('Redis Cluster', async () => ({
    inner: new InMemoryMuteRepository(),
    store: new RedisGraphCacheStore(shared, { listWindow: 5, failureThreshold: 3, openMs: 1000 }),
    newUserId: () => (++nextMuter).toString() as UserId,
  }));

  it('keeps one user’s entries in one slot (its mute set too), a pair’s with its viewer, and counts follows exactly (no MOVED let through)', async () => {
    const slot = calculateSlot(cacheKey('stats', '42'));
    for (const key of [cacheKey('followers', '42'), cacheKey('blocks', '42'), cacheKey('mutes', '42'), cacheKey('relationship', '42', '7'), cacheKey('page', '42', 'followers', '20')]) {
      expect(calculateSlot(key)).toBe(slot);
    }
    const failedOpen: string[] = [];
    const limiter = new RedisRateLimiter(shared, new MetricsRegistry(), (m) => failedOpen.push(m));
    // 16 actors spread over the masters, 8 follows each against a limit of 5: 5 pass per actor.
    const actors = Array.from({ length: 16 }, (_, i) => `follow:cluster-${Date.now()}-${i}`);
    const decisions = await Promise.all(actors.flatMap((a) => Array.from({ length: 8 }, () => limiter.consume(a, 5, 60))));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(16 * 5);
    expect(failedOpen).toEqual([]);
  });

  it('a killed master: only its slots go to Postgres during the failover, and come back under new epochs; the other masters keep their entries', async () => {
    const events: string[] = [];
    const client = await connectRedisCluster(spare.nodes, 200);
    const store = new RedisGraphCacheStore(client, {
      listWindow: 5,
      failureThreshold: 3,
      openMs: 300,
      onBreaker: (open) => events.push(open ? 'open' : 'closed'),
    });
    try {
      // One user on the master to be killed, one on another master.
      const victimPort = spare.masters()[0]!;
      let lost = '';
      let kept = '';
      for (let i = 0; !lost || !kept; i++) {
        const key = cacheKey('stats', `failover-${Date.now()}-${i}`);
        if (masterPortOf(client, key) === victimPort) lost ||= key;
        else kept ||= key;
      }
      for (const key of [lost, kept]) {
        const r = await store.readEntries([key]);
        await store.fillEntries(r.epoch, [{ key, ticket: r.entries[0]!.ticket!, value: '1:0:0', ttlMs: 60_000 }]);
        expect((await store.readEntries([key])).entries[0]!.value).toBe('1:0:0');
      }
      await spare.kill(victimPort);
      const killedAt = Date.now();
      // During the failover: the lost slots' reads fail at once (the decorators use Postgres), the kept ones hit.
      let refused = 0;
      let keptHits = 0;
      for (;;) {
        const read = await store.readEntries([lost, kept]).catch((e: Error) => e);
        if (read instanceof CacheUnavailableError) refused++;
        else if (!(read instanceof Error)) {
          if (read.entries[1]!.value === '1:0:0') keptHits++;
          // Back: the lost slot's entry is a miss under its new epoch, never the value from before.
          if (read.entries[0]!.value === null && read.entries[0]!.ticket !== null) break;
          expect(read.entries[0]!.value).toBeNull();
        }
        if (Date.now() - killedAt > 30000) throw new Error('the killed master’s slots did not come back');
        await sleep(20);
      }
      expect(refused + keptHits).toBeGreaterThan(0);
      expect(events).toEqual(['open', 'closed']);
      expect((await store.readEntries([kept])).entries[0]!.value).toBe('1:0:0');
      expect((await store.readEntries([lost])).entries[0]!.value).toBeNull();
    } finally {
      client.disconnect();
    }
  }, 60000);
});
