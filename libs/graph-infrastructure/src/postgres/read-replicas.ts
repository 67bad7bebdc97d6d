import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { UserId } from '@graph/domain';
import { MetricsRegistry } from '../observability/metrics.registry';
import { DatabaseWaitBudget } from './postgres-breaker';
import { createDataSource } from './data-source';

export interface ReplicaOptions {
  urls: string[];
  /** A replica further behind the primary than this is taken out of use until it catches up. */
  maxLagMs: number;
  /** How often each replica's replay position is compared with the primary's. */
  checkIntervalMs: number;
}

/** A primary WAL position and when it was read: whatever committed before `at` is at or below `lsn`. */
interface WalSample {
  at: number;
  lsn: bigint;
}

class Replica {
  /** Newest primary sample this replica has replayed (every commit before its time is visible here). */
  caughtUpTo: WalSample | null = null;
  /** The replica answered its last check and was not further behind than allowed. */
  healthy = false;
  lagSeconds = Number.NaN;

  constructor(
    readonly name: string,
    readonly dataSource: DataSource,
  ) {}
}

/**
 * The read replicas (DATABASE_REPLICA_URLS) and which one, if any, may answer a read.
 *
 * Read-your-writes by WAL position: every `checkIntervalMs` the primary's current WAL position is
 * sampled, then each replica's replay position; a replica has caught up to a sample once it replayed
 * that far, so every transaction that had committed when the sample was taken is visible on it. A
 * write marks the users it touched with the time it returned; a read about those users may go to a
 * replica only once that replica caught up to a sample taken after the mark. Exact (no guessed
 * window), and the marks cost no query on the write path. A replica that fails its check, or whose
 * lag (now minus the time of the newest sample it replayed) exceeds `maxLagMs`, is out of use until
 * a check finds it healthy again. See docs/scaling.md.
 */
export class ReadReplicas {
  private readonly logger = new Logger('Postgres');
  private readonly replicas: Replica[];
  /** Primary samples, oldest first, kept for `maxLagMs` (older ones can only mean "too far behind"). */
  private samples: WalSample[] = [];
  /** Users written recently, with the time the write returned. */
  private readonly writtenAt = new Map<UserId, number>();
  /** A write that failed in an unknown way and could have touched anyone (see markAllWritten). */
  private everyoneWrittenAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private next = 0;
  private readonly reads;

  private constructor(
    private readonly primary: DataSource,
    private readonly options: ReplicaOptions,
    metrics: MetricsRegistry | null,
    connect: (url: string) => DataSource,
  ) {
    this.replicas = options.urls.map((url, i) => new Replica(`${i}:${new URL(url).host}`, connect(url)));
    const replicas = this.replicas;
    metrics?.gauge('graph_db_replica_lag_seconds', 'How far each read replica is behind the primary (now minus the time of the newest primary WAL position it replayed); NaN when it does not answer', ['replica'], function () {
      for (const r of replicas) this.set({ replica: r.name }, r.lagSeconds);
    });
    metrics?.gauge('graph_db_replica_in_use', '1 when the read replica answers and is within DATABASE_REPLICA_MAX_LAG_MS, else 0 (its reads go to the primary)', ['replica'], function () {
      for (const r of replicas) this.set({ replica: r.name }, r.healthy ? 1 : 0);
    });
    this.reads = metrics?.counter('graph_db_reads_total', 'Reads that could go to a replica, by where they went (primary: no replica in use, or it had not yet replayed a recent write of the users read)', ['target']) ?? null;
  }

  /** Opens a pool per replica (one that is down is retried by the checks) and starts the checks. */
  static async open(
    primary: DataSource,
    options: ReplicaOptions,
    metrics: MetricsRegistry | null,
    pool: { poolSize: number; statementTimeoutMs: number; waits: DatabaseWaitBudget },
    connect: (url: string) => DataSource = (url) => createDataSource(url, pool.poolSize, pool.statementTimeoutMs, pool.waits),
  ): Promise<ReadReplicas> {
    const set = new ReadReplicas(primary, options, metrics, connect);
    // TypeORM's initialize() only builds the pg pool; connections open on first use.
    await Promise.all(set.replicas.map((r) => r.dataSource.initialize()));
    await set.check();
    set.timer = setInterval(() => void set.check(), options.checkIntervalMs);
    set.timer.unref();
    return set;
  }

  /** Each replica's pool, in DATABASE_REPLICA_URLS order. */
  get dataSources(): DataSource[] {
    return this.replicas.map((r) => r.dataSource);
  }

  get size(): number {
    return this.replicas.length;
  }

  /** Called after every write (also a failed one: it may have committed) with the users it touched. */
  markWritten(userIds: readonly UserId[]): void {
    if (this.replicas.length === 0) return;
    const now = Date.now();
    for (const id of userIds) this.writtenAt.set(id, now);
  }

  /** A write whose touched users are unknown (it failed after it may have committed): every read waits. */
  markAllWritten(): void {
    this.everyoneWrittenAt = Date.now();
  }

  /**
   * A replica that may answer a read about `userIds` (round robin over those in use), or null: read
   * the primary. Counted in graph_db_reads_total.
   */
  pick(userIds: readonly UserId[]): DataSource | null {
    let since = this.everyoneWrittenAt;
    for (const id of userIds) since = Math.max(since, this.writtenAt.get(id) ?? 0);
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[(this.next + i) % this.replicas.length]!;
      // Strictly after: a sample taken in the same millisecond as the write may predate its commit.
      if (r.healthy && r.caughtUpTo && r.caughtUpTo.at > since) {
        this.next = (this.next + i + 1) % this.replicas.length;
        this.reads?.inc({ target: 'replica' });
        return r.dataSource;
      }
    }
    this.reads?.inc({ target: 'primary' });
    return null;
  }

  /** A read on `replica` failed: out of use until its next check passes (the caller retries on the primary). */
  failed(replica: DataSource, error: unknown): void {
    const r = this.replicas.find((x) => x.dataSource === replica);
    if (!r || !r.healthy) return;
    r.healthy = false;
    r.caughtUpTo = null;
    this.logger.warn(`postgres: replica ${r.name} failed a read (${(error as Error).message}); reading the primary until it answers`);
  }

  /** One round of checks (exposed for tests). Overlapping calls share one round. */
  check(): Promise<void> {
    this.checking ??= this.runCheck().finally(() => (this.checking = null));
    return this.checking;
  }

  private async runCheck(): Promise<void> {
    try {
      const [row]: { lsn: string }[] = await this.primary.query(`SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn`);
      this.samples.push({ at: Date.now(), lsn: BigInt(row!.lsn) });
    } catch {
      // Primary unreachable: no new sample; the replicas' lag grows until they are out of use.
    }
    const now = Date.now();
    const keptMs = this.options.maxLagMs + this.options.checkIntervalMs;
    this.samples = this.samples.filter((s) => now - s.at <= keptMs);
    await Promise.all(this.replicas.map((r) => this.checkReplica(r)));
    // A mark every replica has replayed past can no longer send a read to the primary. A replica
    // without a position gets one only from a sample kept now or later, all newer than `now - keptMs`.
    const bound = Math.min(...this.replicas.map((r) => r.caughtUpTo?.at ?? now - keptMs));
    for (const [id, at] of this.writtenAt) if (at < bound) this.writtenAt.delete(id);
  }

  private async checkReplica(r: Replica): Promise<void> {
    let replayed: bigint | null;
    try {
      const [row]: { lsn: string | null }[] = await r.dataSource.query(`SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text AS lsn`);
      // NULL: not a standby (a promoted or misconfigured server is not a replica to read from).
      replayed = row?.lsn == null ? null : BigInt(row.lsn);
    } catch (error) {
      r.lagSeconds = Number.NaN;
      this.setHealth(r, false, `does not answer (${(error as Error).message})`);
      return;
    }
    if (replayed === null) {
      r.lagSeconds = Number.NaN;
      this.setHealth(r, false, 'is not in recovery (not a standby)');
      return;
    }
    const now = Date.now();
    const newest = this.samples.findLastIndex((s) => s.lsn <= replayed);
    if (newest >= 0 && (!r.caughtUpTo || this.samples[newest]!.at > r.caughtUpTo.at)) r.caughtUpTo = this.samples[newest]!;
    // Lag: how long ago the oldest primary position it has not replayed was current (0 when it
    // replayed the newest), so the check interval itself is not counted as lag.
    // With no sample (the primary does not answer) it ages from the last position it reached.
    const missing = this.samples[newest + 1];
    const lagMs = this.samples.length > 0 ? (missing ? now - missing.at : 0) : r.caughtUpTo ? now - r.caughtUpTo.at : Number.POSITIVE_INFINITY;
    r.lagSeconds = Number.isFinite(lagMs) ? lagMs / 1000 : Number.NaN;
    this.setHealth(r, lagMs <= this.options.maxLagMs, `is ${Number.isFinite(lagMs) ? `${lagMs} ms` : 'too far'} behind the primary`);
  }

  private setHealth(r: Replica, healthy: boolean, why: string): void {
    // Out of use, it starts again from a fresh sample: no mark outlives what the pruning keeps.
    if (!healthy) r.caughtUpTo = null;
    if (r.healthy === healthy) return;
    r.healthy = healthy;
    if (healthy) this.logger.log(`postgres: replica ${r.name} in use`);
    else this.logger.warn(`postgres: replica ${r.name} out of use: it ${why}`);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checking?.catch(() => undefined);
    await Promise.all(this.replicas.map((r) => (r.dataSource.isInitialized ? r.dataSource.destroy() : undefined)));
  }
}
