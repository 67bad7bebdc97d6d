import { Logger } from '@nestjs/common';
import { KafkaHeaders, KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { Admin, Consumer, EachMessagePayload, IHeaders, Kafka } from 'kafkajs';
import { SeekPoint, seekTo } from '@graph/client';
import { MetricsRegistry, withDeadline } from '@graph/infrastructure';
import { KafkaConsumerProgress } from './kafka-consumer-progress';
import { PeriodicOffsetCommitter, TopicPartitionOffset } from './periodic-offset-committer';

type DropReason = 'stale' | 'reply_topic' | 'reply_partition';

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
 *
 * Replies go only to the asked pattern's own reply topic (`<topic>.reply`) and to a partition of it
 * that exists (or none: the partitioner picks); any other request is dropped unanswered, with a log
 * line and `graph_kafka_rpc_requests_dropped_total{reason}`. Sending there would let a caller write
 * into the event topics, and a send to a missing topic or partition makes kafkajs refresh metadata
 * for it on every later send, which failed every reply until a restart.
 */
export class ConcurrentServerKafka extends ServerKafka {
  private readonly rpcLogger = new Logger('KafkaServer');
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting: (() => void)[] = [];

  private readonly droppedBy = new Map<DropReason, number>();
  private readonly droppedTotal;
  private readonly crashesTotal;
  private readonly progress: KafkaConsumerProgress | null;
  private committer: PeriodicOffsetCommitter | null = null;
  private admin: Promise<Admin> | null = null;
  private readonly partitionCounts = new Map<string, { count: number; at: number }>();
  private onStopped: ((error: Error) => void) | null = null;

  constructor(
    options: NonNullable<KafkaOptions['options']>,
    private readonly maxInFlight = 64,
    private readonly staleAfterMs = 30000,
    private readonly commitIntervalMs = 1000,
    observe: { metrics: MetricsRegistry; progress: KafkaConsumerProgress } | null = null,
  ) {
    super(options);
    this.progress = observe?.progress ?? null;
    this.droppedTotal = observe?.metrics.counter('graph_kafka_rpc_requests_dropped_total', 'Requests dropped unanswered: stale, or a reply topic/partition the service does not answer on', ['reason']) ?? null;
    this.crashesTotal = observe?.metrics.counter('graph_kafka_consumer_crashes_total', 'Crashes of the Kafka server consumer, by who restarted it: kafkajs, or the service once kafkajs gave up', ['restarted_by']) ?? null;
  }

  /**
   * Called when the consumer crashed for good: kafkajs restarts it after a retriable error, but not
   * after one it does not class as retriable (seen when its retries against a killed broker ran out
   * mid-failover), and then the server would stay deaf until the process restarts.
   */
  whenStopped(listener: (error: Error) => void): void {
    this.onStopped = listener;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.crashesTotal?.inc({ restarted_by: payload.restart ? 'kafkajs' : 'service' });
      if (!payload.restart) this.onStopped?.(payload.error);
    });
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
      this.progress?.started();
      await super.handleMessage(payload);
      this.progress?.succeeded();
      this.committer?.mark(topic, partition, message.offset);
      return;
    }
    this.committer?.mark(topic, partition, message.offset);
    const age = Date.now() - Number(message.timestamp);
    if (age > this.staleAfterMs) {
      this.drop('stale', `older than ${this.staleAfterMs} ms (its caller gave up)`);
      return;
    }
    const refusal = await this.refuseReplyTarget(topic, headers);
    if (refusal) {
      this.drop(refusal.reason, refusal.detail);
      return;
    }
    while (this.inFlight.size >= this.maxInFlight) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.progress?.started();
    const work: Promise<void> = super
      .handleMessage(payload)
      .catch((error: unknown) => this.rpcLogger.error(`request on ${topic} failed: ${(error as Error)?.message ?? String(error)}`))
      .finally(() => {
        this.inFlight.delete(work);
        this.waiting.shift()?.();
      });
    this.inFlight.add(work);
  }

  /** Nest's reply send, counted as progress once the broker took the reply. */
  override async sendMessage(...args: Parameters<ServerKafka['sendMessage']>): ReturnType<ServerKafka['sendMessage']> {
    const sent = await super.sendMessage(...args);
    this.progress?.succeeded();
    return sent;
  }

  /** Why the reply asked for by `headers` must not be sent, or null when it may. */
  private async refuseReplyTarget(topic: string, headers: IHeaders): Promise<{ reason: DropReason; detail: string } | null> {
    const replyTopic = headerText(headers[KafkaHeaders.REPLY_TOPIC]);
    if (replyTopic !== `${topic}.reply`) return { reason: 'reply_topic', detail: `reply topic ${JSON.stringify(replyTopic.slice(0, 100))} is not ${topic}.reply` };
    const raw = headers[KafkaHeaders.REPLY_PARTITION];
    if (raw === undefined) return null;
    const text = headerText(raw);
    const partition = /^[0-9]{1,9}$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(partition)) return { reason: 'reply_partition', detail: `reply partition ${JSON.stringify(text.slice(0, 20))} is not a partition number` };
    const count = await this.replyPartitionCount(replyTopic, partition);
    if (count === null || partition >= count) {
      return { reason: 'reply_partition', detail: `${replyTopic} has no partition ${partition}${count === null ? ' (partitions unknown: broker unreachable)' : ` (it has ${count})`}` };
    }
    return null;
  }

  /**
   * Partitions of `replyTopic`, from the broker's metadata, cached. A partition beyond the cached
   * count is looked up again at most every 30 s (a topic may have grown), so a flood of bad
   * partition headers costs one metadata request per 30 s.
   */
  protected async replyPartitionCount(replyTopic: string, partition: number): Promise<number | null> {
    const cached = this.partitionCounts.get(replyTopic);
    if (cached && (partition < cached.count || Date.now() - cached.at < 30000)) return cached.count;
    try {
      const client = this.client as Kafka | null;
      if (!client) return cached?.count ?? null;
      this.admin ??= connectAdmin(client).catch((error: unknown) => {
        this.admin = null;
        throw error;
      });
      const metadata = await withDeadline(3000, (await this.admin).fetchTopicMetadata({ topics: [replyTopic] }));
      const count = metadata.topics[0]?.partitions.length ?? 0;
      this.partitionCounts.set(replyTopic, { count, at: Date.now() });
      return count;
    } catch {
      if (cached) this.partitionCounts.set(replyTopic, { count: cached.count, at: Date.now() });
      return cached?.count ?? null;
    }
  }

  private drop(reason: DropReason, detail: string): void {
    this.droppedTotal?.inc({ reason });
    const n = (this.droppedBy.get(reason) ?? 0) + 1;
    this.droppedBy.set(reason, n);
    // The first of each kind, then one line per 1000: a flood must not flood the log.
    if (n % 1000 === 1) this.rpcLogger.warn(`dropping a request unanswered: ${detail}; ${n} dropped for ${reason.replace('_', ' ')} so far`);
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
    const admin = this.admin;
    this.admin = null;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
    await super.close();
  }
}

async function connectAdmin(client: Kafka): Promise<Admin> {
  const admin = client.admin();
  await withDeadline(3000, admin.connect());
  return admin;
}

function headerText(value: IHeaders[string]): string {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

/**
 * consumer.commitOffsets, failing unless the broker took the commit: kafkajs silently skips the
 * commit while its consumer is restarting (after a broker outage, say), and the failover patch skips
 * one while the group coordinator is being found again (@graph/client's kafka-failover); those
 * positions must be tried again rather than taken as stored.
 */
async function commitConfirmed(consumer: Consumer, offsets: TopicPartitionOffset[]): Promise<void> {
  let confirmed = false;
  const stopListening = consumer.on(consumer.events.COMMIT_OFFSETS, () => (confirmed = true));
  try {
    await consumer.commitOffsets(offsets);
  } finally {
    stopListening();
  }
  if (!confirmed) throw new Error('commit skipped (consumer restarting, or its group coordinator being found again)');
}
