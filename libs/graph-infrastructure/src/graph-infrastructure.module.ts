import { DynamicModule, Module, Provider } from '@nestjs/common';
import { InfrastructureOptions } from './infrastructure.options';
import { kafkaProviders } from './kafka/kafka.providers';
import { KafkaProbe } from './kafka/kafka.connection';
import { MetricsRegistry } from './observability/metrics.registry';
import { DependencyMetrics } from './observability/dependency-metrics';
import { DependencyProbe } from './observability/dependency-health';
import { postgresProviders } from './postgres/postgres.providers';
import { PostgresProbe } from './postgres/postgres.connection';
import { redisProviders } from './redis/redis.providers';
import { RedisConnection, RedisProbe } from './redis/redis.connection';
import { DataSource } from 'typeorm';

/** All probes, in the order /health/ready reports them. */
export class DependencyProbes {
  constructor(readonly all: DependencyProbe[]) {}
}

/**
 * Binds every port of the graph domain to its adapter for the configured mode (Postgres or
 * embedded Postgres; Redis or in-process; Kafka or outbox-only). The app imports this once.
 * Lifecycle: workers stop in beforeApplicationShutdown, connections close in onApplicationShutdown.
 */
@Module({})
export class GraphInfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: InfrastructureOptions, useValue: options },
      { provide: MetricsRegistry, useValue: new MetricsRegistry() },
      ...postgresProviders,
      ...redisProviders,
      ...kafkaProviders,
      {
        provide: DependencyMetrics,
        inject: [MetricsRegistry, DataSource, RedisConnection],
        useFactory: (m: MetricsRegistry, d: DataSource, r: RedisConnection) => new DependencyMetrics(m, d, r.client),
      },
      {
        provide: DependencyProbes,
        inject: [PostgresProbe, RedisProbe, KafkaProbe],
        useFactory: (...probes: DependencyProbe[]) => new DependencyProbes(probes),
      },
    ];
    return {
      module: GraphInfrastructureModule,
      global: true,
      providers,
      exports: providers.map((p) => ('provide' in p ? p.provide : p)),
    };
  }
}
