import { GraphError, UnavailableError } from '@graph/domain';
import { SqlRunner } from './sql-runner';

/** True when an error means Postgres is unreachable rather than that the request was wrong (also read by the breaker). */
export function isDependencyDown(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (current instanceof UnavailableError) return true;
    const e = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    const message = typeof e.message === 'string' ? e.message : '';
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
    // SQLSTATE classes 08 (connection exception), 57P (operator intervention: shutdown), 53 (resources).
    if (/^(08|57P|53)/.test(code)) return true;
    if (/Connection terminated|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|DataSource is not initialized/i.test(message)) {
      return true;
    }
    current = e.driverError ?? e.cause;
  }
  return false;
}

/** The SQLSTATE of a driver error, whether TypeORM wrapped it (driverError) or not; '' for others. */
export function sqlState(error: unknown): string {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return String(e?.driverError?.code ?? e?.code ?? '');
}

/** Lost a serialization or deadlock race (after the adapter's retries), a lock wait or the statement timeout. */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014']);

/**
 * The one place a driver error becomes a domain error: an unreachable database or a transient
 * failure becomes UnavailableError (callers retry; the filters answer 503 / UNAVAILABLE, the
 * user.events consumer leaves the message for redelivery). Anything else is returned unchanged.
 */
export function translateDriverError(error: unknown): unknown {
  if (error instanceof GraphError) return error;
  const code = sqlState(error);
  if (!isDependencyDown(error) && !TRANSIENT_SQLSTATES.has(code)) return error;
  const translated = new UnavailableError(
    TRANSIENT_SQLSTATES.has(code) ? 'the database is busy; retry shortly' : 'the database is unavailable; retry shortly',
  );
  translated.cause = error;
  return translated;
}

/** A SqlRunner whose failures are translated (see translateDriverError). */
export function translatingSqlRunner(runner: SqlRunner): SqlRunner {
  return {
    query: (sql, parameters) =>
      runner.query(sql, parameters).catch((error: unknown) => {
        throw translateDriverError(error);
      }),
  };
}
