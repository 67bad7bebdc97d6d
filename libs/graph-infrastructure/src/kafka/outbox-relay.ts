import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { Counter, Gauge, Histogram } from 'prom-client';
import { OutboxRelayOptions } from '../infrastructure.options';
import { MetricsRegistry } from '../observability/metrics.registry';
import { KafkaEventPublisher } from './kafka-event.publisher';

/** Work partitions of the outbox (the migration computes relay_partition = hashtext(key) & 15). */
export const OUTBOX_PARTITIONS = 16;
/** First half of the two-int advisory lock key of a partition (second half: the partition). */
const LOCK_CLASS = 0x6f627278; // "obrx"
/** Sessions of relays carry this name, so each relay can count the others and take its share. */
export const RELAY_APPLICATION_NAME = 'graph-outbox-relay';
const PRUNE_BATCH = 5000;

export interface RelayStatus {
  running: boolean;
  ownedPartitions: number[];
  published: number;
  publishErrors: number;
  lastError: string | null;
  consecutiveFailures: number;
}

interface OutboxRecord {
  id: string;
  topic: string;
  message_key: string;
  payload: string;
  created_at: Date;
}

export interface OutboxRelayDeps {
  /** Postgres URL; the relay keeps one session of its own (its advisory locks live on it). */
  connectionString: string;
  publisher: KafkaEventPublisher;
  metrics: MetricsRegistry;
  options: OutboxRelayOptions;
  /** Creates missing topics; called before the first publish and after failures. */
  ensureTopics?: () => Promise<void>;
  /** How often ownership is rebalanced between relays (default 2 s). */
  rebalanceIntervalMs?: number;
  maxBackoffMs?: number;
}

/**
 * Publishes the outbox to Kafka.
 *
 * Claiming: the outbox is split into 16 partitions by hash(message_key). A relay owns a partition
 * while it holds `pg_try_advisory_lock(LOCK_CLASS, partition)` on its own session, and only the
 * owner publishes that partition's rows, oldest id first. So with any number of relays no event is
 * sent twice in the normal case, and one key's (one follower's) events are never in flight from two
 * relays at once, which keeps their order. Every cycle reads all unsent rows of the owned
 * partitions (not "id > last seen"), so a row that commits after a higher id is never skipped.
 * Relays count each other (pg_stat_activity, by application name) and each keeps about 16/N
 * partitions, releasing extras between batches, after their rows are marked sent. When a relay's
 * session dies its locks go with it and another relay takes over; in that window an event may be
 * sent twice (at least once; consumers de-duplicate on event_id).
 *
 * Failures: a failed send leaves the rows unsent, counts attempts and last_error on them, drops the
 * producer (a fresh one after the outage) and backs off exponentially. Users' writes never wait on
 * any of this. Waking: the writer of this process wakes it after each commit (wake()); rows written
 * by other instances are found by the poll.
 */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private client: Client | null = null;
  private readonly owned = new Set<number>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private nextRebalanceAt = 0;
  private nextPruneAt = 0;
  private backoffUntil = 0;
  private consecutiveFailures = 0;
  private topicsReady = false;
  private lastError: string | null = null;
  private published = 0;
  private publishErrors = 0;

  private readonly publishedCounter: Counter;
  private readonly errorCounter: Counter;
  private readonly batchCounter: Counter;
  private readonly relayDelay: Histogram;
  private readonly ownedGauge: Gauge;

  constructor(private readonly deps: OutboxRelayDeps) {
    const m = deps.metrics;
    this.publishedCounter = m.counter('graph_outbox_events_published_total', 'Outbox events acknowledged by Kafka');
    this.errorCounter = m.counter('graph_outbox_publish_errors_total', 'Failed attempts to publish a batch of outbox events');
    this.batchCounter = m.counter('graph_outbox_batches_published_total', 'Batches of outbox events acknowledged by Kafka (one send each; events per batch = events / batches)');
    this.relayDelay = m.histogram(
      'graph_outbox_relay_delay_seconds',
      'Time from the outbox row being written to Kafka acknowledging it',
      [],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    );
    this.ownedGauge = m.gauge('graph_outbox_relay_partitions_owned', 'Outbox partitions this relay currently owns');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops after the batch in flight (waiting at most `graceMs` for it) and closes the session, which
   * releases the partitions to other relays.
   */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.closeSession();
    await this.deps.publisher.disconnect();
  }

  /** Makes the relay look at the outbox now (after a commit, or from the admin API). */
  wake(resetBackoff = false): void {
    if (resetBackoff) {
      this.backoffUntil = 0;
      this.consecutiveFailures = 0;
    }
    this.woken = true;
    this.wakeUp?.();
  }

  status(): RelayStatus {
    return {
      running: this.running,
      ownedPartitions: [...this.owned].sort((a, b) => a - b),
      published: this.published,
      publishErrors: this.publishErrors,
      lastError: this.lastError,
      consecutiveFailures: this.consecutiveFailures,
    };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        const client = await this.session();
        if (Date.now() >= this.nextRebalanceAt) await this.rebalance(client);
        if (this.owned.size > 0 && Date.now() >= this.backoffUntil) more = await this.relayBatch(client);
        if (Date.now() >= this.nextPruneAt) await this.prune(client);
      } catch (error) {
        if (this.running) this.logger.warn(`outbox relay: ${(error as Error).message}; retrying`);
        await this.closeSession();
        this.fail(error);
      }
      if (!more) await this.idle();
    }
  }

  /** Sleeps until woken, the poll interval, the end of the backoff or the next rebalance. */
  private async idle(): Promise<void> {
    if (!this.running) return;
    if (this.woken) {
      this.woken = false;
      if (Date.now() >= this.backoffUntil) return this.linger();
    }
    const now = Date.now();
    let wait = Math.min(this.deps.options.pollIntervalMs, Math.max(0, this.nextRebalanceAt - now));
    if (this.backoffUntil > now) wait = Math.max(wait, this.backoffUntil - now);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = null;
    const woken = this.woken;
    this.woken = false;
    if (woken) await this.linger();
  }

  /**
   * Lets the commits right behind the one that woke the relay join its batch (like Kafka's
   * linger.ms): under a write load one read, one send and one mark carry many events instead of one
   * each, for a few milliseconds more on each event's way to Kafka.
   */
  private async linger(ms = this.deps.options.lingerMs): Promise<void> {
    if (ms > 0 && this.running) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private async session(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.deps.connectionString,
      application_name: RELAY_APPLICATION_NAME,
      // The relay's own writes (sent marks, pruning) need no flush to disk before they count: a mark
      // lost in a crash only sends its events again, which consumers de-duplicate by event_id.
      // No bitmap scans: only a plain index scan marks the entries of rows sent since the last vacuum
      // dead as it passes them (a bitmap scan visits them all again on every read, which cost the
      // relay a third of a core under a write load; see select).
      options: '-c synchronous_commit=off -c enable_bitmapscan=off',
      statement_timeout: 30000,
      connectionTimeoutMillis: 3000,
      keepAlive: true,
    });
    client.on('error', (error) => {
      this.logger.warn(`outbox relay session lost: ${error.message}`);
      if (this.client === client) void this.closeSession();
    });
    await client.connect();
    this.client = client;
    this.nextRebalanceAt = 0;
    return client;
  }

  private async closeSession(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.owned.clear();
    this.ownedGauge.set(0);
    if (client) await client.end().catch(() => undefined);
  }

  /** Takes free partitions up to this relay's share and gives back what exceeds it. */
  private async rebalance(client: Client): Promise<void> {
    this.nextRebalanceAt = Date.now() + (this.deps.rebalanceIntervalMs ?? 2000);
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [RELAY_APPLICATION_NAME],
    );
    const relays = Math.max(1, Number(rows[0]?.n ?? 1));
    const share = Math.ceil(OUTBOX_PARTITIONS / relays);
    for (const p of [...this.owned].sort((a, b) => b - a)) {
      if (this.owned.size <= share) break;
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, p]);
      this.owned.delete(p);
    }
    if (this.owned.size < share) {
      // Start at a random partition so relays starting together do not contend for the same ones.
      const offset = Math.floor(Math.random() * OUTBOX_PARTITIONS);
      for (let i = 0; i < OUTBOX_PARTITIONS && this.owned.size < share; i++) {
        const p = (offset + i) % OUTBOX_PARTITIONS;
        if (this.owned.has(p)) continue;
        const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, p]);
        if (r.rows[0]?.ok) this.owned.add(p);
      }
    }
    this.ownedGauge.set(this.owned.size);
  }

  /**
   * The oldest unsent rows of the owned partitions, leaving out `inFlight` (the batch on its way,
   * not marked yet). Always from the oldest, never "id > the last batch's": a row can commit after
   * a higher id was read (ids are taken at insert, rows become visible at commit), and a follower's
   * next event, written after that commit, would then go out before it.
   */
  private async select(client: Client, inFlight: OutboxRecord[]): Promise<OutboxRecord[]> {
    // Per owned partition, the oldest rows along idx_outbox_pending_partition (at most a batch of
    // each, however long the backlog), merged by id.
    const { rows } = await client.query<OutboxRecord>(
      `SELECT o.* FROM unnest($1::smallint[]) AS p(partition)
        CROSS JOIN LATERAL (
          SELECT id, topic, message_key, payload::text AS payload, created_at
            FROM outbox_events
           WHERE sent_at IS NULL AND relay_partition = p.partition AND id <> ALL($3::bigint[])
           ORDER BY id
           LIMIT $2) o
        ORDER BY o.id
        LIMIT $2`,
      [[...this.owned], this.deps.options.batchSize, inFlight.map((r) => r.id)],
    );
    return rows;
  }

  private async markSent(client: Client, rows: OutboxRecord[]): Promise<void> {
    await client.query(
      `UPDATE outbox_events SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`,
      [rows.map((r) => r.id)],
    );
  }

  /**
   * Publishes the owned partitions' unsent rows, batch after batch, for up to ~1 s. Batch N+1 is
   * only sent after Kafka acknowledged batch N (order), but marking N sent and reading N+1 run while
   * N+1 is on its way, so Postgres and Kafka round trips overlap. Returns true when rows may
   * remain. Every read starts from the oldest unsent row (see select), so a row that committed late
   * with a lower id goes out in the next batch, ahead of anything its key wrote after it.
   *
   * Unless a batch came back full (a backlog: read on at once), the next read waits until
   * OUTBOX_LINGER_MS after the last one, so under a steady write load each send carries the commits
   * of a linger rather than the one or two of a round trip: a produce request costs the broker
   * ~0.4 ms of CPU whatever it carries (measured here), more than the events in it, and each read
   * and mark cost Postgres a statement.
   */
  private async relayBatch(client: Client): Promise<boolean> {
    const deadline = Date.now() + 1000;
    let readAt = Date.now();
    let batch = await this.select(client, []);
    if (batch.length === 0) return false;
    let toMark: OutboxRecord[] | null = null;
    try {
      while (batch.length > 0) {
        const marked = toMark;
        const current = batch;
        const publishing = (async () => {
          if (!this.topicsReady && this.deps.ensureTopics) {
            await this.deps.ensureTopics();
            this.topicsReady = true;
          }
          await this.deps.publisher.publish(current.map((r) => ({ topic: r.topic, key: r.message_key, value: r.payload })));
        })();
        const database = (async () => {
          if (marked) await this.markSent(client, marked);
          if (current.length < this.deps.options.batchSize) await this.linger(readAt + this.deps.options.lingerMs - Date.now());
          if (!this.running || Date.now() >= deadline) return [];
          readAt = Date.now();
          return this.select(client, current);
        })();
        // Keep the database work from rejecting unobserved if the publish fails first.
        database.catch(() => undefined);
        try {
          await publishing;
        } catch (error) {
          await database.catch(() => undefined);
          toMark = null;
          await this.recordFailure(client, batch, error);
          return false;
        }
        this.count(batch);
        toMark = batch;
        batch = await database;
      }
      return this.running && Date.now() >= deadline;
    } finally {
      if (toMark) await this.markSent(client, toMark);
    }
  }

  private count(rows: OutboxRecord[]): void {
    const now = Date.now();
    for (const r of rows) this.relayDelay.observe((now - r.created_at.getTime()) / 1000);
    this.published += rows.length;
    this.publishedCounter.inc(rows.length);
    this.batchCounter.inc();
    if (this.consecutiveFailures > 0) this.logger.log(`outbox relay: publishing again after ${this.consecutiveFailures} failed attempts`);
    this.consecutiveFailures = 0;
    this.lastError = null;
  }

  private async recordFailure(client: Client, rows: OutboxRecord[], error: unknown): Promise<void> {
    const message = (error as Error)?.message ?? String(error);
    this.publishErrors += 1;
    this.errorCounter.inc();
    this.topicsReady = false;
    this.fail(error);
    await this.deps.publisher.disconnect();
    await client.query(`UPDATE outbox_events SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`, [
      rows.map((r) => r.id),
      message.slice(0, 1000),
    ]);
    this.logger.warn(`outbox relay: publishing ${rows.length} events failed (${message}); retry in ${this.backoffUntil - Date.now()} ms`);
  }

  /** Deletes sent rows older than the retention, a batch at a time so no long lock is held. */
  private async prune(client: Client): Promise<void> {
    this.nextPruneAt = Date.now() + 1000;
    for (let i = 0; i < 20 && this.running; i++) {
      const r = await client.query(
        `DELETE FROM outbox_events WHERE id = ANY(ARRAY(
           SELECT id FROM outbox_events
            WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED))`,
        [this.deps.options.retentionSeconds, PRUNE_BATCH],
      );
      if ((r.rowCount ?? 0) < PRUNE_BATCH) return;
    }
  }

  private fail(error: unknown): void {
    this.lastError = (error as Error)?.message ?? String(error);
    this.consecutiveFailures += 1;
    const base = Math.min(this.deps.maxBackoffMs ?? 10000, 200 * 2 ** Math.min(this.consecutiveFailures - 1, 10));
    this.backoffUntil = Date.now() + base / 2 + Math.random() * (base / 2);
  }
}
