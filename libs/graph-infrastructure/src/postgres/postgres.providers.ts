import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InfrastructureOptions } from '../infrastructure.options';
import { MetricsRegistry } from '../observability/metrics.registry';
import { OutboxWakeup } from './outbox';
import { PostgresConnection, PostgresProbe } from './postgres.connection';
import { ReadReplicas } from './read-replicas';

/** The read replicas, or null without DATABASE_REPLICA_URLS (Nest cannot provide a bare null). */
export class ReadReplicasRef {
  constructor(readonly replicas: ReadReplicas | null) {}
}

/** Postgres internals: the pool (external or embedded), its DataSource, its probe, the outbox's wake-up signal. */
export const postgresProviders: Provider[] = [
  {
    provide: PostgresConnection,
    inject: [InfrastructureOptions, MetricsRegistry],
    useFactory: (o: InfrastructureOptions, m: MetricsRegistry) => PostgresConnection.open(o, m),
  },
  { provide: DataSource, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => c.dataSource },
  { provide: ReadReplicasRef, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => new ReadReplicasRef(c.replicas) },
  { provide: PostgresProbe, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => new PostgresProbe(c) },
  { provide: OutboxWakeup, useValue: new OutboxWakeup() },
];
