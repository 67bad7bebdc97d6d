import { UnavailableError } from '@graph/domain';

/**
 * True when an error means a dependency (Postgres) is unreachable rather than that the request was
 * wrong: the HTTP filter answers these with 503 UNAVAILABLE so callers retry.
 */
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
