import { CacheFamilyHitRate, GRAPH_LIMITS, GraphCacheAdmin, UserId } from '@graph/domain';
import { CachedGraphReadRepository } from './cached-graph-read.repository';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { GraphCacheStore } from './graph-cache.store';
import { userKeys } from './cache-maintaining-graph-write.repository';

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
    return { warmedUserIds: await this.reads.warmMostFollowed(count, GRAPH_LIMITS.pageDefault) };
  }

  async evictUser(userId: UserId): Promise<void> {
    await this.store.drop(userKeys(userId));
  }

  async invalidateAll(): Promise<void> {
    await this.store.invalidateAll();
  }

  async hitRates(): Promise<CacheFamilyHitRate[]> {
    return this.metrics.snapshot().map((f) => ({ ...f, hitRate: f.hits + f.misses === 0 ? null : f.hits / (f.hits + f.misses) }));
  }
}
