import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { pgPoolOf } from './data-source';
import { isDependencyDown } from './dependency-errors';

const names = new Map<string, string>();

/** A statement's name: the same for the same text in every process, so logs and pg_prepared_statements match. */
function nameOf(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `graph_${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * Runs `sql` as a named prepared statement on a connection of the data source's pool: each
 * connection parses it once and then only binds and executes it, where an unnamed statement (what
 * TypeORM sends) is parsed and planned on every call. For a graph_* function call that saved
 * PostgreSQL 60–90 µs of CPU per call, 13–15 % of the call (measured here, docs/performance.md).
 *
 * Only for a constant text (each connection keeps every name it prepared for its life) whose plan
 * does not depend on the values: after five runs PostgreSQL may keep one generic plan. That is the
 * case of a function call; the function's own statements are cached by PL/pgSQL either way.
 * The pool is the one the PostgreSQL breaker guards (postgres-breaker.ts), so an open breaker
 * refuses these calls as it refuses TypeORM's.
 */
export async function queryPrepared<T>(dataSource: DataSource, sql: string, params: unknown[]): Promise<T[]> {
  const client = await pgPoolOf(dataSource).connect();
  // A connection cut while checked out (the breaker cuts them, the server may go) emits 'error';
  // the pending query rejects with it, and the pool only listens while the connection is idle.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  try {
    const { rows } = await client.query({ name: nameOf(sql), text: sql, values: params });
    client.release();
    return rows as T[];
  } catch (error) {
    // A failed statement leaves the connection usable; one the server ended (terminated, shutting
    // down) goes, even if its socket has not closed yet, so the next call does not inherit it.
    client.release(isDependencyDown(error) ? (error as Error) : undefined);
    throw error;
  } finally {
    client.removeListener('error', ignore);
  }
}
