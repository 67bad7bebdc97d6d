import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { GRAPH_MIGRATIONS } from '../../migrations';

/**
 * Drops and recreates the database of `url` and applies every migration. Refuses unless the
 * database name matches `mustMatch` (the tests use /test/, the bench /bench/), so it can never wipe
 * a real database. Relative imports only: Jest's global setup does not apply module mapping.
 */
export async function recreateDatabase(url: string, mustMatch: RegExp): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!mustMatch.test(name)) throw new Error(`Refusing to recreate database "${name}": its name must match ${mustMatch}`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const dataSource = new DataSource({ type: 'postgres', url, migrations: GRAPH_MIGRATIONS });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
}
