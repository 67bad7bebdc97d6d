import { MetricsRegistry } from '@graph/infrastructure';

/**
 * Whether the Kafka server is getting anywhere: the time since it last applied an event or sent a
 * reply, counted only while messages it started wait for that. Consumer lag cannot show this: a
 * request's offset is committed when it starts, so a server whose replies all fail reads lag 0.
 * Exposed as `graph_kafka_consumer_stalled_seconds` and in /health/ready's `kafka_consumer`.
 */
export class KafkaConsumerProgress {
  private waitingSince: number | null = null;
  private readonly skipped;

  constructor(
    metrics: MetricsRegistry,
    /** Seconds without progress after which health() says stalled (KAFKA_CONSUMER_STALLED_AFTER_SECONDS). */
    private readonly stalledAfterSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.skipped = metrics.counter('graph_kafka_user_events_skipped_total', 'user.events messages skipped because they cannot be applied, by error code', ['code']);
    const stalledSeconds = () => this.stalledSeconds();
    metrics.gauge('graph_kafka_consumer_stalled_seconds', 'Seconds since the Kafka server last applied an event or sent a reply while messages wait (0: idle or moving)', [], function () {
      this.set(stalledSeconds());
    });
  }

  /** A message was taken up (an event handler or a request started). */
  started(): void {
    this.waitingSince ??= this.now();
  }

  /** An event was applied or a reply sent. */
  succeeded(): void {
    this.waitingSince = null;
  }

  /** A user.events message that cannot be applied was skipped (`code`: why). */
  skippedUserEvent(code: string): void {
    this.skipped.inc({ code });
  }

  stalledSeconds(): number {
    return this.waitingSince === null ? 0 : Math.max(0, (this.now() - this.waitingSince) / 1000);
  }

  health(): { status: 'ok' | 'stalled'; stalled_seconds: number } {
    // The threshold is checked on the exact time; the figure shown is cut (not rounded) to 0.1 s, so
    // it never reads as past the threshold while the status is still ok, nor stalled below it.
    const seconds = this.stalledSeconds();
    return { status: seconds >= this.stalledAfterSeconds ? 'stalled' : 'ok', stalled_seconds: Math.floor(seconds * 10) / 10 };
  }
}
