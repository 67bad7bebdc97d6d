import { Provider } from '@nestjs/common';
import { InfrastructureOptions } from '../infrastructure.options';
import { RedisConnection, RedisProbe } from './redis.connection';

/** Redis internals: the one client (absent in memory mode) and its probe. */
export const redisProviders: Provider[] = [
  { provide: RedisConnection, inject: [InfrastructureOptions], useFactory: (o: InfrastructureOptions) => RedisConnection.open(o) },
  { provide: RedisProbe, inject: [RedisConnection], useFactory: (c: RedisConnection) => new RedisProbe(c) },
];
