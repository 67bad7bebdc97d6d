import { Logger, Provider } from '@nestjs/common';
import { RateLimiter } from '@graph/domain';
import { InfrastructureOptions } from '../infrastructure.options';
import { MemoryRateLimiter } from '../memory/memory-rate-limiter';
import { MetricsRegistry } from '../observability/metrics.registry';
import { RedisConnection, RedisProbe } from './redis.connection';
import { RedisRateLimiter } from './redis-rate-limiter';

/** Redis (or its in-process stand-in): the rate limiter and the cache. */
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
];
