import { UserId } from '@graph/domain';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { describeMuteRepositoryContract } from '@graph/domain/testing/mute.repository.contract';
import { MetricsRegistry } from '../observability/metrics.registry';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { CachedGraphReadRepository } from './cached-graph-read.repository';
import { CachedMuteRepository, muteSet } from './cached-mute.repository';
import { GraphCacheAdminService } from './graph-cache-admin.service';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { CacheUnavailableError, GraphCacheStore } from './graph-cache.store';
import { MemoryGraphCacheStore } from './memory-graph-cache.store';
import { cachedMutesContract } from './testing/cached-mutes.contract';

let nextId = 9000n;
const newUserId = (): UserId => (++nextId).toString() as UserId;
const OPTIONS = { ttlSeconds: { followers: 300, following: 300, relationship: 600, stats: 60, recommendations: 600 }, jitter: 0.1 };
const forever = { notifications: true, scope: 'all' as const, expiresAt: null };
const cachedOver = (inner: InMemoryMuteRepository, store: GraphCacheStore = new MemoryGraphCacheStore(5)) =>
  new CachedMuteRepository(inner, store, OPTIONS, new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false })));

// The port's contract through the cache: the same answers as the adapter, after every write.
describeMuteRepositoryContract('CachedMuteRepository over the in-memory fake', {
  newUserId,
  async create() {
    const inner = new InMemoryMuteRepository();
    return {
      repo: cachedOver(inner),
      inspect: {
        events: async (muterId) => inner.events.filter((e) => e.muterId === muterId),
        stored: async (muterId, mutedId) => inner.mutes.has(`${muterId}>${mutedId}`),
      },
    };
  },
});

cachedMutesContract('in-process store', async () => ({ inner: new InMemoryMuteRepository(), store: new MemoryGraphCacheStore(5), newUserId }));

describe('CachedMuteRepository when the cache fails', () => {
  it('reads from the source while the store cannot answer', async () => {
    const inner = new InMemoryMuteRepository();
    const store = new MemoryGraphCacheStore(5);
    jest.spyOn(store, 'readEntries').mockRejectedValue(new CacheUnavailableError('circuit open'));
    const cached = cachedOver(inner, store);
    const [a, b] = [newUserId(), newUserId()];
    await cached.mute(a, b, forever);
    expect(await cached.getMutes(a, [b])).toEqual(await inner.getMutes(a, [b]));
  });

  it('a write that may have committed drops the set and keeps it announced, so no fill lands before a late commit', async () => {
    const inner = new InMemoryMuteRepository();
    const store = new MemoryGraphCacheStore(5);
    const cached = cachedOver(inner, store);
    const [a, b] = [newUserId(), newUserId()];
    await cached.getMutes(a, [b]);
    jest.spyOn(inner, 'mute').mockRejectedValueOnce(new Error('connection reset'));
    await expect(cached.mute(a, b, forever)).rejects.toThrow('connection reset');
    expect((await store.readEntries([muteSet(a)])).entries[0]).toEqual({ value: null, ticket: null });
    await cached.getMutes(a, [b]);
    expect((await store.readEntries([muteSet(a)])).entries[0]!.value).toBeNull();
  });
});

it("an admin eviction of a user drops its mute set", async () => {
  const inner = new InMemoryMuteRepository();
  const store = new MemoryGraphCacheStore(5);
  const metrics = new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false }));
  const cached = new CachedMuteRepository(inner, store, OPTIONS, metrics);
  const admin = new GraphCacheAdminService(new CachedGraphReadRepository(new InMemoryGraphReadRepository(new InMemoryGraphStore()), store, { ...OPTIONS, listWindow: 5 }, metrics), store, metrics);
  const [a, b] = [newUserId(), newUserId()];
  await cached.getMutes(a, [b]);
  expect((await store.readEntries([muteSet(a)])).entries[0]!.value).toBe(',');
  await admin.evictUser(a);
  expect((await store.readEntries([muteSet(a)])).entries[0]!.value).toBeNull();
});
