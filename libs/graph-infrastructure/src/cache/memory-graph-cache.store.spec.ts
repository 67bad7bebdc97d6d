import { graphCacheStoreContract } from './testing/graph-cache-store.contract';
import { cacheKey } from './graph-cache.store';
import { MemoryGraphCacheStore } from './memory-graph-cache.store';

graphCacheStoreContract('in-process', async () => ({ store: new MemoryGraphCacheStore(5) }));

describe('MemoryGraphCacheStore', () => {
  it('expires entries after their TTL and stays within its bound', async () => {
    let now = 1_000;
    const store = new MemoryGraphCacheStore(5, 3, () => now);
    const k = cacheKey('stats', '1');
    const r = await store.readEntries([k]);
    await store.fillEntries(r.epoch, [{ key: k, ticket: r.entries[0]!.ticket!, value: '1:1:1', ttlMs: 500 }]);
    expect((await store.readEntries([k])).entries[0]!.value).toBe('1:1:1');
    now += 501;
    expect((await store.readEntries([k])).entries[0]!.value).toBeNull();
    await store.readEntries(['a', 'b', 'c', 'd', 'e'].map((id) => cacheKey('stats', id)));
    expect((store as unknown as { entries: Map<string, unknown> }).entries.size).toBeLessThanOrEqual(3);
  });
});
