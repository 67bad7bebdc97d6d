import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GraphReadRepository, GraphWriteRepository } from '@graph/domain';
import { InfrastructureOptions } from '../infrastructure.options';
import { PostgresConnection, PostgresProbe } from './postgres.connection';
import { TypeOrmGraphReadRepository } from './typeorm-graph-read.repository';
import { TypeOrmGraphWriteRepository } from './typeorm-graph-write.repository';

/** Postgres: the pool and the adapters of the graph ports. */
export const postgresProviders: Provider[] = [
  { provide: PostgresConnection, inject: [InfrastructureOptions], useFactory: (o: InfrastructureOptions) => PostgresConnection.open(o) },
  { provide: DataSource, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => c.dataSource },
  { provide: PostgresProbe, inject: [PostgresConnection], useFactory: (c: PostgresConnection) => new PostgresProbe(c) },
  { provide: GraphWriteRepository, inject: [DataSource], useFactory: (d: DataSource) => new TypeOrmGraphWriteRepository(d) },
  { provide: GraphReadRepository, inject: [DataSource], useFactory: (db: DataSource) => new TypeOrmGraphReadRepository(db) },
];
