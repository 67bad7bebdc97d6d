import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GraphCacheAdmin, GraphReadRepository, GraphWriteRepository, MuteRepository } from '@graph/domain';
import { CacheMaintainingGraphWriteRepository } from '../cache/cache-maintaining-graph-write.repository';
import { CachedGraphReadRepository } from '../cache/cached-graph-read.repository';
import { GraphCacheAdminService } from '../cache/graph-cache-admin.service';
import { GraphCacheMetrics } from '../cache/graph-cache.metrics';
import { DEFAULT_LIST_WINDOW, GraphCacheStore } from '../cache/graph-cache.store';
import { InfrastructureOptions } from '../infrastructure.options';
import { OutboxWakeup } from './outbox';
import { PostgresConnection, PostgresProbe } from './postgres.connection';
import { TypeOrmGraphReadRepository } from './typeorm-graph-read.repository';
import { TypeOrmGraphWriteRepository } from './typeorm-graph-write.repository';
import { TypeOrmMuteRepository } from './typeorm-mute.repository';

/**
 * Postgres: the pool and the adapters of the graph ports. Each port is its Postgres adapter behind
 * a cache decorator (cache-aside reads; writes fix the cache before they return), so the use cases
 * know nothing of the cache. The store behind them (Redis or in-process) comes from redisProviders.
 */
export const postgresProviders: Provider[] = [
  { provide: PostgresConnection, inject: [InfrastructureOptions], useFactory: (o: InfrastructureOptions) => PostgresConnection.open(o) },
  { provide: DataSource, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => c.dataSource },
  { provide: PostgresProbe, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => new PostgresProbe(c) },
  { provide: TypeOrmGraphReadRepository, inject: [DataSource], useFactory: (db: DataSource) => new TypeOrmGraphReadRepository(db) },
  { provide: OutboxWakeup, useValue: new OutboxWakeup() },
  {
    provide: TypeOrmGraphWriteRepository,
    inject: [DataSource, OutboxWakeup],
    useFactory: (d: DataSource, wakeup: OutboxWakeup) => new TypeOrmGraphWriteRepository(d, wakeup),
  },
  {
    provide: CachedGraphReadRepository,
    inject: [TypeOrmGraphReadRepository, GraphCacheStore, InfrastructureOptions, GraphCacheMetrics],
    useFactory: (db: TypeOrmGraphReadRepository, store: GraphCacheStore, o: InfrastructureOptions, metrics: GraphCacheMetrics) =>
      new CachedGraphReadRepository(db, store, { ...o.cache, listWindow: o.cache.listWindow ?? DEFAULT_LIST_WINDOW }, metrics),
  },
  { provide: GraphReadRepository, useExisting: CachedGraphReadRepository },
  {
    provide: GraphWriteRepository,
    inject: [TypeOrmGraphWriteRepository, GraphCacheStore],
    useFactory: (db: TypeOrmGraphWriteRepository, store: GraphCacheStore) => new CacheMaintainingGraphWriteRepository(db, store),
  },
  // Mutes are read from Postgres directly: one index-only lookup per call, private to the muter.
  { provide: MuteRepository, inject: [DataSource, OutboxWakeup], useFactory: (d: DataSource, wakeup: OutboxWakeup) => new TypeOrmMuteRepository(d, wakeup) },
  {
    provide: GraphCacheAdmin,
    inject: [CachedGraphReadRepository, GraphCacheStore, GraphCacheMetrics],
    useFactory: (reads: CachedGraphReadRepository, store: GraphCacheStore, metrics: GraphCacheMetrics) => new GraphCacheAdminService(reads, store, metrics),
  },
];
