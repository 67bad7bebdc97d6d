import { Logger } from '@nestjs/common';
import { Client, Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { UnavailableError } from '@graph/domain';
import { CircuitBreaker } from '../cache/circuit-breaker';
import { MetricsRegistry } from '../observability/metrics.registry';
import { withDeadline } from '../observability/dependency-health';
import { isDependencyDown } from './dependency-errors';
import { pgPoolOf } from './data-source';

/** Client-side bounds on every wait on PostgreSQL (DATABASE_CONNECT_TIMEOUT_MS, ...). */
export interface DatabaseWaitBudget {
  /** Opening a connection, and waiting for one from a full pool. */
  connectTimeoutMs: number;
  /** One query, measured by the client (a frozen server never sends its statement_timeout error). */
  queryTimeoutMs: number;
  /** While the breaker is open, one probe per this period decides whether it closes. */
  breakerOpenMs: number;
}

const GUARDED = Symbol('postgres-breaker-guarded');

/**
 * The breaker in front of the pg pool. A frozen server (SIGSTOP, a stalled disk, a partition)
 * accepts TCP connections and answers nothing, so without it every call waited out its timeouts.
 * A refused connection, or a connect or query slower than the connect budget confirmed by a fresh
 * probe connection, opens it: the connections in use are cut (their callers get 503 at once instead of at their own
 * timeouts), and until a probe connects again every pool checkout fails in microseconds with the
 * domain's UnavailableError (503 UNAVAILABLE). Recovery is by itself, one probe per `breakerOpenMs`.
 */
export class PostgresBreaker {
  private readonly logger = new Logger('Postgres');
  private readonly breaker: CircuitBreaker;
  private readonly inUse = new Set<PoolClient>();
  /** Connections this breaker cut itself: their "Connection terminated" says nothing about the server. */
  private readonly cutHere = new WeakSet<PoolClient>();
  private readonly refused;
  private probeTimer: NodeJS.Timeout | null = null;
  private confirming = false;

  constructor(
    private readonly url: string,
    private readonly budget: DatabaseWaitBudget,
    metrics: MetricsRegistry | null,
  ) {
    const open = metrics?.gauge('graph_postgres_breaker_open', '1 while the PostgreSQL breaker refuses calls (the database is down or frozen)');
    this.refused = metrics?.counter('graph_postgres_breaker_refused_total', 'Database calls refused at once by the open PostgreSQL breaker') ?? null;
    open?.set(0);
    this.breaker = new CircuitBreaker({ failureThreshold: 1, openMs: budget.breakerOpenMs }, (isOpen) => {
      open?.set(isOpen ? 1 : 0);
      if (isOpen) this.logger.warn('postgres: breaker open, calls answer 503 until a probe connects');
      else this.logger.log('postgres: breaker closed, the database answers again');
    });
  }

  get isOpen(): boolean {
    return !this.breaker.isClosed;
  }

  /** Puts the breaker in front of the data source's pool (TypeORM checks connections out with pool.connect(callback)). */
  guard(dataSource: DataSource): void {
    const pool: Pool & { [GUARDED]?: true } = pgPoolOf(dataSource);
    if (pool[GUARDED]) return;
    pool[GUARDED] = true;
    type Callback = (err: Error | undefined, client?: PoolClient, release?: (e?: unknown) => void) => void;
    const connect = pool.connect.bind(pool) as (cb: Callback) => void;
    const guarded = (callback?: Callback): Promise<PoolClient> | undefined => {
      if (!callback) {
        // pg's promise form, as the callback form resolves it (release via client.release()).
        return new Promise((resolve, reject) =>
          guarded((err, client, release) => (err || !client ? reject(err) : resolve(Object.assign(client, { release: release! })))),
        );
      }
      if (!this.breaker.isClosed) {
        this.refused?.inc();
        process.nextTick(() => callback(new UnavailableError('the database is unavailable; retry shortly')));
        return;
      }
      connect((err, client, release) => {
        if (err || !client || !release) {
          // A refused connection is an outage; a slow one (a starved host, or this process resumed
          // after a pause with every timer overdue) is confirmed by a probe first.
          if (/timeout/i.test((err as Error | undefined)?.message ?? '')) void this.confirmOutage();
          else if (isDependencyDown(err)) this.open();
          callback(err);
          return;
        }
        this.watch(client);
        this.inUse.add(client);
        callback(undefined, client, (e?: unknown) => {
          this.inUse.delete(client);
          release(e);
        });
      });
      return undefined;
    };
    (pool as unknown as { connect: unknown }).connect = guarded;
  }

  /**
   * Slow or timed-out queries: a query still unanswered after the connect budget makes a fresh
   * probe connection check the server (one slow query is not an outage; a frozen server fails the
   * probe too), so a freeze is detected within about twice the connect budget, not the query's.
   */
  private watch(client: PoolClient & { [GUARDED]?: true }): void {
    if (client[GUARDED]) return;
    client[GUARDED] = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        const slow = setTimeout(() => void this.confirmOutage(), this.budget.connectTimeoutMs);
        slow.unref();
        (result as Promise<unknown>).then(
          () => clearTimeout(slow),
          (error: unknown) => {
            clearTimeout(slow);
            if ((error as Error)?.message === 'Query read timeout') {
              // The connection still waits for the answer; it must not serve another query. Whether
              // the server is down is the probe's to say: after this process was paused (SIGSTOP, a
              // stalled host) every read timeout is overdue at once while the server is fine.
              this.cut(client);
              void this.confirmOutage();
            } else if (isDependencyDown(error) && !this.cutHere.has(client)) {
              this.open();
            }
          },
        );
      }
      return result;
    };
  }

  private async confirmOutage(): Promise<void> {
    if (this.confirming || !this.breaker.isClosed) return;
    this.confirming = true;
    try {
      if (!(await this.probe())) this.open();
    } finally {
      this.confirming = false;
    }
  }

  private open(): void {
    if (!this.breaker.isClosed) return;
    this.breaker.trip();
    for (const client of this.inUse) this.cut(client);
    this.scheduleProbe();
  }

  /**
   * Probes start one period apart, counted from the start of the one before: a probe of a frozen
   * server spends the connect budget waiting, and the next one starting a whole period after that
   * left the service answering 503 for up to a period after the server had thawed.
   */
  private scheduleProbe(delayMs = this.budget.breakerOpenMs): void {
    if (this.probeTimer) return;
    this.probeTimer = setTimeout(async () => {
      this.probeTimer = null;
      if (!this.breaker.startProbe()) return;
      const started = Date.now();
      if (await this.probe()) this.breaker.probeSucceeded();
      else {
        this.breaker.probeFailed();
        this.scheduleProbe(Math.max(0, this.budget.breakerOpenMs - (Date.now() - started)));
      }
    }, delayMs);
    this.probeTimer.unref();
  }

  /** A connection of its own (the pool may be full of stuck ones) and `SELECT 1`, within the connect budget. */
  private async probe(): Promise<boolean> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: this.budget.connectTimeoutMs, query_timeout: this.budget.connectTimeoutMs });
    client.on('error', () => undefined);
    try {
      await withDeadline(this.budget.connectTimeoutMs * 2, client.connect().then(() => client.query('SELECT 1')));
      return true;
    } catch {
      return false;
    } finally {
      client.end().catch(() => undefined);
    }
  }

  stop(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  /** Cuts a pg connection's socket: its query fails at once ("Connection terminated") and the pool drops it. */
  private cut(client: PoolClient): void {
    this.cutHere.add(client);
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}
