import { Logger, Provider } from '@nestjs/common';
import { FirstPageCache, RateLimiter } from '@graph/domain';
import { GraphCacheMetrics } from '../cache/graph-cache.metrics';
import { DEFAULT_LIST_WINDOW, GraphCacheStore } from '../cache/graph-cache.store';
import { MemoryGraphCacheStore } from '../cache/memory-graph-cache.store';
import { RedisGraphCacheStore } from '../cache/redis-graph-cache.store';
import { RenderedFirstPageCache } from '../cache/rendered-first-page.cache';
import { InfrastructureOptions } from '../infrastructure.options';
import { MemoryRateLimiter } from '../memory/memory-rate-limiter';
import { MetricsRegistry } from '../observability/metrics.registry';
import { RedisConnection, RedisProbe } from './redis.connection';
import { RedisRateLimiter } from './redis-rate-limiter';

/** Consecutive failed cache calls that open the breaker, and how long Redis is then left alone. */
const CACHE_BREAKER = { failureThreshold: 3, openMs: 1000 };

/** Redis (or its in-process stand-in): the rate limiter, the cache store and the rendered first pages, on one client. */
export const redisProviders: Provider[] = [
  { provide: RedisConnection, inject: [InfrastructureOptions], useFactory: (o: InfrastructureOptions) => RedisConnection.open(o) },
  { provide: RedisProbe, inject: [RedisConnection], useFactory: (c: RedisConnection) => new RedisProbe(c) },
  {
    provide: RateLimiter,
    inject: [RedisConnection, MetricsRegistry],
    useFactory: (c: RedisConnection, metrics: MetricsRegistry) => {
      const logger = new Logger('RateLimiter');
      return c.client ? new RedisRateLimiter(c.client, metrics, (m) => logger.warn(m)) : new MemoryRateLimiter();
    },
  },
  { provide: GraphCacheMetrics, inject: [MetricsRegistry], useFactory: (m: MetricsRegistry) => new GraphCacheMetrics(m) },
  {
    provide: GraphCacheStore,
    inject: [RedisConnection, InfrastructureOptions, GraphCacheMetrics],
    useFactory: (c: RedisConnection, o: InfrastructureOptions, metrics: GraphCacheMetrics) => {
      const listWindow = o.cache.listWindow ?? DEFAULT_LIST_WINDOW;
      if (!c.client) return new MemoryGraphCacheStore(listWindow);
      const logger = new Logger('GraphCache');
      return new RedisGraphCacheStore(c.client, {
        listWindow,
        ...CACHE_BREAKER,
        onBreaker: (open) => {
          metrics.breaker(open);
          if (open) logger.warn('cache: Redis is failing, serving from Postgres');
          else logger.log('cache: Redis is back under a new epoch (entries from before are ignored)');
        },
        onEpochBump: () => metrics.epochBumped(),
        onError: (operation) => metrics.error(operation),
      });
    },
  },
  {
    provide: FirstPageCache,
    inject: [GraphCacheStore, GraphCacheMetrics, InfrastructureOptions],
    useFactory: (store: GraphCacheStore, metrics: GraphCacheMetrics, o: InfrastructureOptions) => new RenderedFirstPageCache(store, metrics, o.cache),
  },
];
