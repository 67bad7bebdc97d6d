import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EdgeImporter, EventOutbox, GraphCacheAdmin, GraphConsistency, GraphReadRepository, GraphWriteRepository, MuteRepository, RateLimiter } from '@graph/domain';
import { CacheMaintainingGraphWriteRepository } from './cache/cache-maintaining-graph-write.repository';
import { CachedGraphReadRepository } from './cache/cached-graph-read.repository';
import { CachedMuteRepository } from './cache/cached-mute.repository';
import { GraphCacheAdminService } from './cache/graph-cache-admin.service';
import { GraphCacheMetrics } from './cache/graph-cache.metrics';
import { DEFAULT_LIST_WINDOW, GraphCacheStore } from './cache/graph-cache.store';
import { MemoryGraphCacheStore } from './cache/memory-graph-cache.store';
import { RedisGraphCacheStore } from './cache/redis-graph-cache.store';
import { PostgresEdgeImporter } from './import/postgres-edge-importer';
import { InfrastructureOptions } from './infrastructure.options';
import { KafkaProbe } from './kafka/kafka.connection';
import { kafkaProviders } from './kafka/kafka.providers';
import { KafkaTopics } from './kafka/kafka-topics';
import { OutboxMonitor } from './kafka/outbox-monitor';
import { OutboxRelayService } from './kafka/outbox-relay.service';
import { MemoryRateLimiter } from './memory/memory-rate-limiter';
import { DependencyProbe } from './observability/dependency-health';
import { DependencyMetrics } from './observability/dependency-metrics';
import { MetricsRegistry } from './observability/metrics.registry';
import { OutboxWakeup } from './postgres/outbox';
import { PostgresProbe } from './postgres/postgres.connection';
import { PostgresGraphConsistency } from './postgres/postgres-graph-consistency';
import { ReadReplicasRef, postgresProviders } from './postgres/postgres.providers';
import { ReplicaMarkingGraphWriteRepository } from './postgres/replica-marking-graph-write.repository';
import { ReplicaRoutingGraphReadRepository } from './postgres/replica-routing-graph-read.repository';
import { TypeOrmGraphReadRepository } from './postgres/typeorm-graph-read.repository';
import { TypeOrmGraphWriteRepository } from './postgres/typeorm-graph-write.repository';
import { TypeOrmMuteRepository } from './postgres/typeorm-mute.repository';
import { RedisConnection, RedisProbe } from './redis/redis.connection';
import { redisProviders } from './redis/redis.providers';
import { RedisRateLimiter } from './redis/redis-rate-limiter';

/** All probes, in the order /health/ready reports them. */
export class DependencyProbes {
  constructor(readonly all: DependencyProbe[]) {}
}

/** Consecutive failed cache calls that open the breaker, and how long Redis is then left alone. */
const CACHE_BREAKER = { failureThreshold: 3, openMs: 1000 };

/**
 * THE BINDING TABLE: what implements each port. Read this to go from a port to its SQL, Lua or Kafka.
 *
 * | port / service         | implementation (outermost first)                                                     |
 * | ---------------------- | ------------------------------------------------------------------------------------ |
 * | GraphReadRepository    | CachedGraphReadRepository (cache-aside) → TypeOrmGraphReadRepository (SQL)            |
 * |                        |   with DATABASE_REPLICA_URLS: → ReplicaRoutingGraphReadRepository (lag-tolerant reads  |
 * |                        |   to a caught-up replica; cache fills and access checks on the primary)              |
 * | GraphWriteRepository   | CacheMaintainingGraphWriteRepository (fixes the cache) → TypeOrmGraphWriteRepository  |
 * |                        |   with replicas: → ReplicaMarkingGraphWriteRepository (marks the users written)      |
 * | MuteRepository         | CachedMuteRepository (the muter's mute set, dropped by its writes) → TypeOrmMuteRepository |
 * | GraphCacheStore        | RedisGraphCacheStore (Lua, breaker per node; Redis or Cluster) or MemoryGraphCacheStore |
 * | RateLimiter            | RedisRateLimiter or MemoryRateLimiter (no REDIS_URL)                                  |
 * | EventOutbox            | OutboxMonitor (outbox table + OutboxRelayService to Kafka)                            |
 * | GraphCacheAdmin        | GraphCacheAdminService over the cached reads, the store and the cache metrics         |
 * | GraphConsistency       | PostgresGraphConsistency (drift check in keyset batches, locked one-user recount)     |
 * | EdgeImporter           | PostgresEdgeImporter (COPY into a temp table, one set-based merge, counter deltas)    |
 *
 * The per-technology provider files hold only internals (connections, DataSource, relay). The
 * module is imported explicitly (not global) and exports the ports and the few services the edges
 * need; the raw Postgres adapters stay inside.
 * Lifecycle: workers stop in beforeApplicationShutdown, connections close in onApplicationShutdown.
 */
@Module({})
export class GraphInfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    const listWindow = options.cache.listWindow ?? DEFAULT_LIST_WINDOW;
    const bindings: Provider[] = [
      {
        provide: TypeOrmGraphReadRepository,
        inject: [DataSource],
        useFactory: (db: DataSource) => new TypeOrmGraphReadRepository(db),
      },
      {
        provide: CachedGraphReadRepository,
        inject: [TypeOrmGraphReadRepository, ReadReplicasRef, GraphCacheStore, GraphCacheMetrics],
        useFactory: (primary: TypeOrmGraphReadRepository, { replicas }: ReadReplicasRef, store: GraphCacheStore, metrics: GraphCacheMetrics) => {
          const reads = replicas ? new ReplicaRoutingGraphReadRepository(primary, replicas, replicas.dataSources) : primary;
          return new CachedGraphReadRepository(reads, store, { ...options.cache, listWindow }, metrics, primary);
        },
      },
      { provide: GraphReadRepository, useExisting: CachedGraphReadRepository },
      {
        provide: GraphWriteRepository,
        inject: [DataSource, OutboxWakeup, GraphCacheStore, ReadReplicasRef],
        useFactory: (db: DataSource, wakeup: OutboxWakeup, store: GraphCacheStore, { replicas }: ReadReplicasRef) => {
          const writes = new TypeOrmGraphWriteRepository(db, wakeup);
          return new CacheMaintainingGraphWriteRepository(replicas ? new ReplicaMarkingGraphWriteRepository(writes, replicas) : writes, store);
        },
      },
      {
        provide: MuteRepository,
        inject: [DataSource, OutboxWakeup, GraphCacheStore, GraphCacheMetrics],
        useFactory: (db: DataSource, wakeup: OutboxWakeup, store: GraphCacheStore, metrics: GraphCacheMetrics) =>
          new CachedMuteRepository(new TypeOrmMuteRepository(db, wakeup), store, options.cache, metrics),
      },
      {
        provide: GraphCacheStore,
        inject: [RedisConnection, GraphCacheMetrics],
        useFactory: (c: RedisConnection, metrics: GraphCacheMetrics) => {
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
        provide: RateLimiter,
        inject: [RedisConnection, MetricsRegistry],
        useFactory: (c: RedisConnection, metrics: MetricsRegistry) => {
          const logger = new Logger('RateLimiter');
          return c.client ? new RedisRateLimiter(c.client, metrics, (m) => logger.warn(m)) : new MemoryRateLimiter();
        },
      },
      {
        provide: EventOutbox,
        inject: [DataSource, OutboxRelayService, MetricsRegistry],
        useFactory: (d: DataSource, r: OutboxRelayService, m: MetricsRegistry) => new OutboxMonitor(d, r, m),
      },
      {
        provide: GraphCacheAdmin,
        inject: [CachedGraphReadRepository, GraphCacheStore, GraphCacheMetrics],
        useFactory: (reads: CachedGraphReadRepository, store: GraphCacheStore, metrics: GraphCacheMetrics) =>
          new GraphCacheAdminService(reads, store, metrics),
      },
      { provide: GraphConsistency, inject: [DataSource], useFactory: (d: DataSource) => new PostgresGraphConsistency(d) },
      {
        provide: EdgeImporter,
        inject: [DataSource, OutboxWakeup],
        useFactory: (d: DataSource, w: OutboxWakeup) => new PostgresEdgeImporter(d, w),
      },
    ];
    return {
      module: GraphInfrastructureModule,
      providers: [
        { provide: InfrastructureOptions, useValue: options },
        { provide: MetricsRegistry, useValue: new MetricsRegistry() },
        { provide: GraphCacheMetrics, inject: [MetricsRegistry], useFactory: (m: MetricsRegistry) => new GraphCacheMetrics(m) },
        ...postgresProviders,
        ...redisProviders,
        ...kafkaProviders,
        ...bindings,
        {
          // Pool and Redis figures for the alert rules, read at scrape time (nothing injects it).
          provide: DependencyMetrics,
          inject: [MetricsRegistry, DataSource, RedisConnection],
          useFactory: (m: MetricsRegistry, d: DataSource, r: RedisConnection) => new DependencyMetrics(m, d, r.client),
        },
        {
          provide: DependencyProbes,
          inject: [PostgresProbe, RedisProbe, KafkaProbe],
          useFactory: (...probes: DependencyProbe[]) => new DependencyProbes(probes),
        },
      ],
      exports: [
        // the ports
        GraphReadRepository,
        GraphWriteRepository,
        MuteRepository,
        RateLimiter,
        EventOutbox,
        GraphCacheAdmin,
        GraphConsistency,
        EdgeImporter,
        // what the edges need: health, metrics, the Kafka server's topics, the store and figures of the
        // first-page shortcut (apps/graph-service/src/http/first-page/)
        GraphCacheStore,
        GraphCacheMetrics,
        DependencyProbes,
        MetricsRegistry,
        KafkaTopics,
      ],
    };
  }
}
