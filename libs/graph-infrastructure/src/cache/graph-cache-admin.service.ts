import { CacheFamilyHitRate, GRAPH_LIMITS, GraphCacheAdmin, UserId } from '@graph/domain';
import { CachedGraphReadRepository } from './cached-graph-read.repository';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { CacheUnavailableError, GraphCacheStore } from './graph-cache.store';
import { userKeys } from './cache-maintaining-graph-write.repository';
import { muteSet } from './cached-mute.repository';

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
    await this.store.drop([...userKeys(userId), muteSet(userId)]).catch(ignoreUnavailable);
  }

  async invalidateAll(): Promise<void> {
    await this.store.invalidateAll().catch(ignoreUnavailable);
  }

  async hitRates(): Promise<CacheFamilyHitRate[]> {
    return this.metrics.snapshot().map((f) => ({ ...f, hitRate: f.hits + f.misses === 0 ? null : f.hits / (f.hits + f.misses) }));
  }
}

/**
 * A cache that cannot be reached has nothing to evict that will ever be read: its breaker is open,
 * and it closes only through an epoch bump that retires every entry (docs/cache.md, "Redis back").
 * So an eviction then is done, as on the write path; a repair or import must not fail over it.
 */
function ignoreUnavailable(error: unknown): void {
  if (!(error instanceof CacheUnavailableError)) throw error;
}
