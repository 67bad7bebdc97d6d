import { Logger } from '@nestjs/common';
import { KafkaHeaders, KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachMessagePayload } from 'kafkajs';
import { SeekPoint, seekTo } from '@graph/client';
import { PeriodicOffsetCommitter, TopicPartitionOffset } from './periodic-offset-committer';

/**
 * ServerKafka that answers requests concurrently. Nest's server awaits each handler inside kafkajs'
 * eachMessage, so requests on one partition wait for each other, and kafkajs fetches again only
 * once every batch of the last fetch is done: at a few hundred requests/s, requests queued for tens
 * of ms behind others before their own handler ran. Requests (a correlation id and a reply topic)
 * need no order, so they are started and left running, up to `maxInFlight` at once (then the
 * consumer waits for a slot: backpressure instead of unbounded memory). Events (user.events) keep
 * Nest's behaviour: one at a time per partition, offset committed after the handler.
 *
 * A request's offset may be committed before its reply is sent, so a crash loses the requests in
 * flight; their callers time out (request-reply is at most once either way: a reply can be lost too).
 *
 * Requests older than `staleAfterMs` are dropped unanswered: their callers have timed out, and after
 * an outage or a lagging group a backlog of dead requests would otherwise delay the live ones.
 *
 * Offsets are committed every `commitIntervalMs` by a PeriodicOffsetCommitter (the options must set
 * `run.autoCommit: false`), not after every fetch.
 */
export class ConcurrentServerKafka extends ServerKafka {
  private readonly rpcLogger = new Logger('KafkaServer');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];

  private dropped = 0;
  private committer: PeriodicOffsetCommitter | null = null;

  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly maxInFlight = 64,
    private readonly staleAfterMs = 30000,
    private readonly commitIntervalMs = 1000,
  ) {
    super(options);
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    this.committer?.stop();
    const committer = new PeriodicOffsetCommitter((offsets) => commitConfirmed(consumer, offsets), this.commitIntervalMs);
    committer.start();
    this.committer = committer;
    return super.bindEvents(consumer);
  }

  /**
   * Moves the running consumer to `points` and commits them at once. Committing matters: a partition
   * with no committed offset resolves "latest" again whenever the consumer rejoins (after a broker
   * outage, say), skipping what was written meanwhile. A failed commit is retried every interval.
   */
  async startAt(points: SeekPoint[]): Promise<void> {
    const [, consumer] = this.unwrap<[unknown, Consumer, unknown]>();
    seekTo(consumer, points);
    for (const p of points) this.committer?.position(p.topic, p.partition, p.offset);
    await this.committer?.flush();
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const headers = message.headers ?? {};
    if (headers[KafkaHeaders.CORRELATION_ID] === undefined || headers[KafkaHeaders.REPLY_TOPIC] === undefined) {
      await super.handleMessage(payload);
      this.committer?.mark(topic, partition, message.offset);
      return;
    }
    this.committer?.mark(topic, partition, message.offset);
    const age = Date.now() - Number(message.timestamp);
    if (age > this.staleAfterMs) {
      if (this.dropped++ % 1000 === 0) this.rpcLogger.warn(`dropping requests older than ${this.staleAfterMs} ms (their callers gave up); ${this.dropped} so far`);
      return;
    }
    while (this.inFlight.size >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const work: Promise<void> = super
      .handleMessage(payload)
      .catch((error: unknown) => this.rpcLogger.error(`request on ${topic} failed: ${(error as Error)?.message ?? String(error)}`))
      .finally(() => {
        this.inFlight.delete(work);
        this.waiting.shift()?.();
      });
    this.inFlight.add(work);
  }

  /** Our patterns are topic names: skips Nest's JSON.parse of each, which throws (with a stack) for every request. */
  override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }

  /** Lets the requests in flight send their replies (a few seconds at most), commits, then disconnects. */
  override async close(): Promise<void> {
    if (this.inFlight.size > 0) {
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 5000).unref())]);
    }
    this.committer?.stop();
    await this.committer?.flush();
    await super.close();
  }
}

/**
 * consumer.commitOffsets, failing unless the broker took the commit: kafkajs silently skips the
 * commit while its consumer is restarting (after a broker outage, say), and those positions must be
 * tried again rather than taken as stored.
 */
async function commitConfirmed(consumer: Consumer, offsets: TopicPartitionOffset[]): Promise<void> {
  let confirmed = false;
  const stopListening = consumer.on(consumer.events.COMMIT_OFFSETS, () => (confirmed = true));
  try {
    await consumer.commitOffsets(offsets);
  } finally {
    stopListening();
  }
  if (!confirmed) throw new Error('the consumer is not running (restarting?); commit skipped');
}
