import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InfrastructureOptions } from '../infrastructure.options';
import { OutboxWakeup } from './outbox';
import { PostgresConnection, PostgresProbe } from './postgres.connection';

/** Postgres internals: the pool (external or embedded), its DataSource, its probe, the outbox's wake-up signal. */
export const postgresProviders: Provider[] = [
  { provide: PostgresConnection, inject: [InfrastructureOptions], useFactory: (o: InfrastructureOptions) => PostgresConnection.open(o) },
  { provide: DataSource, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => c.dataSource },
  { provide: PostgresProbe, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => new PostgresProbe(c) },
  { provide: OutboxWakeup, useValue: new OutboxWakeup() },
];
