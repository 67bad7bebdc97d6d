import { CacheFamilyHitRate, DEFAULT_PAGE_SIZE, GraphCacheAdmin, UserId } from '@graph/domain';
import { CachedGraphReadRepository } from './cached-graph-read.repository';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { GraphCacheStore, cacheKey } from './graph-cache.store';

/** The admin port over the read cache, its store and its counters. */
export class GraphCacheAdminService extends GraphCacheAdmin {
  constructor(
    private readonly reads: CachedGraphReadRepository,
    private readonly store: GraphCacheStore,
    private readonly metrics: GraphCacheMetrics,
  ) {
    super();
  }

  async warmMostFollowed(count: number): Promise<{ warmedUserIds: UserId[] }> {
    return { warmedUserIds: await this.reads.warmMostFollowed(count, DEFAULT_PAGE_SIZE) };
  }

  async evictUser(userId: UserId): Promise<void> {
    await this.store.drop((['followers', 'following', 'stats', 'settings', 'suggestions'] as const).map((f) => cacheKey(f, userId)));
  }

  async invalidateAll(): Promise<void> {
    await this.store.invalidateAll();
  }

  async hitRates(): Promise<CacheFamilyHitRate[]> {
    return this.metrics.snapshot().map((f) => ({ ...f, hitRate: f.hits + f.misses === 0 ? null : f.hits / (f.hits + f.misses) }));
  }
}
