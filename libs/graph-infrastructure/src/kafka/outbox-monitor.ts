import { DataSource } from 'typeorm';
import { EventOutbox, FailingEvent, OutboxBacklog, UserId } from '@graph/domain';
import { MetricsRegistry } from '../observability/metrics.registry';
import { withDeadline } from '../observability/dependency-health';
import { followEventsFromEdgesSql } from '../postgres/outbox';
import { OutboxRelayService } from './outbox-relay.service';

/**
 * The outbox's figures for /metrics and the admin API: backlog and oldest pending age come from the
 * table (so they are right whichever process relays), published and error counts from this
 * process's relay.
 */
export class OutboxMonitor extends EventOutbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relayService: OutboxRelayService,
    metrics: MetricsRegistry,
  ) {
    super();
    // Gauges are read at scrape time; a slow or unreachable database leaves the last value.
    const read = (pick: (b: OutboxBacklog) => number) =>
      async function (this: { set(v: number): void }) {
        const b = await withDeadline(1000, monitor.backlog()).catch(() => null);
        if (b) this.set(pick(b));
      };
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const monitor = this;
    metrics.gauge('graph_outbox_backlog_events', 'Outbox events not yet acknowledged by Kafka', [], read((b) => b.pending));
    metrics.gauge(
      'graph_outbox_oldest_pending_age_seconds',
      'Age of the oldest outbox event not yet acknowledged by Kafka (0 when none)',
      [],
      read((b) => b.oldestPendingAgeSeconds ?? 0),
    );
    metrics.gauge('graph_outbox_failing_events', 'Pending outbox events whose last publish attempt failed', [], read((b) => b.failing));
  }

  async backlog(): Promise<OutboxBacklog> {
    const [row] = (await this.dataSource.query(`
      SELECT (SELECT count(*) FROM outbox_events WHERE sent_at IS NULL)::int AS pending,
             (SELECT extract(epoch FROM now() - created_at)::float8
                FROM outbox_events WHERE sent_at IS NULL ORDER BY id LIMIT 1) AS oldest_age,
             (SELECT count(*) FROM outbox_events WHERE sent_at IS NULL AND last_error IS NOT NULL)::int AS failing,
             (SELECT last_error FROM outbox_events WHERE sent_at IS NULL AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1) AS last_error
    `)) as { pending: number; oldest_age: number | null; failing: number; last_error: string | null }[];
    const status = this.relayService.relay?.status();
    return {
      pending: row!.pending,
      oldestPendingAgeSeconds: row!.oldest_age === null ? null : Math.max(0, row!.oldest_age),
      failing: row!.failing,
      lastError: row!.last_error ?? status?.lastError ?? null,
      relayRunning: status?.running ?? false,
      published: status?.published ?? 0,
      publishErrors: status?.publishErrors ?? 0,
    };
  }

  async failingEvents(limit: number): Promise<FailingEvent[]> {
    const rows = (await this.dataSource.query(
      `SELECT event_id::text, topic, message_key, attempts, last_error, created_at
         FROM outbox_events WHERE sent_at IS NULL AND last_error IS NOT NULL ORDER BY id LIMIT $1`,
      [limit],
    )) as { event_id: string; topic: string; message_key: string; attempts: number; last_error: string; created_at: Date }[];
    return rows.map((r) => ({ eventId: r.event_id, topic: r.topic, key: r.message_key, attempts: r.attempts, lastError: r.last_error, createdAt: r.created_at }));
  }

  async retryFailed(eventId?: string): Promise<number> {
    const result = (await this.dataSource.query(
      `UPDATE outbox_events SET last_error = NULL
        WHERE sent_at IS NULL AND last_error IS NOT NULL AND ($1::uuid IS NULL OR event_id = $1::uuid)`,
      [eventId ?? null],
    )) as [unknown[], number];
    this.relayService.relay?.wake(true);
    return result[1] ?? 0;
  }

  async replayUserEvents(userId: UserId, since: Date): Promise<number> {
    const result = (await this.dataSource.query(
      followEventsFromEdgesSql(
        `SELECT follower_id, following_id, status, notify, show_reposts, languages FROM follows
          WHERE (follower_id = $1 OR following_id = $1) AND status IN ('accepted', 'pending') AND created_at >= $2`,
        'replayed',
      ) + ' RETURNING 1',
      [userId, since],
    )) as unknown[];
    this.relayService.relay?.wake();
    return result.length;
  }
}
