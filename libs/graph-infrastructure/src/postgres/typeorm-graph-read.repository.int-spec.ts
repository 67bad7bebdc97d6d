import { DataSource } from 'typeorm';
import { describeGraphReadRepositoryContract } from '@graph/domain/testing/graph-read.repository.contract';
import { createDataSource } from '../postgres/data-source';
import { TypeOrmGraphReadRepository } from './typeorm-graph-read.repository';
import { testInfra } from '../../../../test/setup/test-infra';
import { seedGraphSql } from '../../../../test/support/graph-sql-seed';

let db: DataSource;
afterAll(() => db?.destroy());

describeGraphReadRepositoryContract('PostgreSQL', async () => {
  db = createDataSource(testInfra.databaseUrl, 4, 10000);
  await db.initialize();
  return { repo: new TypeOrmGraphReadRepository(db), seed: (graph) => seedGraphSql(db, graph) };
});
