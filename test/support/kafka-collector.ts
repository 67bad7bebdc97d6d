import { randomUUID } from 'node:crypto';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { ensureTopics, freshGroupStartPoints, seekTo } from '@graph/client';
import { GRAPH_EVENT_TOPICS, GraphEventPayload } from '@graph/contracts';

export interface CollectedEvent {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  payload: GraphEventPayload;
  receivedAt: number;
}

/**
 * Reads the graph.* topics from "now" (or their beginning) in a consumer group of its own and keeps the events whose key
 * or ids belong to `accept` (other suites publish to the same topics).
 */
export class EventCollector {
  readonly events: CollectedEvent[] = [];
  private constructor(
    private readonly consumer: Consumer,
    private readonly accept: (p: GraphEventPayload) => boolean,
  ) {}

  static async start(
    brokers: string,
    accept: (p: GraphEventPayload) => boolean,
    options: { topics?: string[]; from?: 'latest' | 'earliest' } = {},
  ): Promise<EventCollector> {
    const topics = options.topics ?? Object.values(GRAPH_EVENT_TOPICS);
    const kafka = new Kafka({ clientId: 'test-collector', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const groupId = `test-collector-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, topics);
    const start = await freshGroupStartPoints(admin, groupId, { [options.from ?? 'latest']: topics });
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const collector = new EventCollector(consumer, accept);
    await consumer.connect();
    await consumer.subscribe({ topics });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const payload = JSON.parse(message.value!.toString()) as GraphEventPayload;
        if (!collector.accept(payload)) return;
        collector.events.push({ topic, partition, offset: Number(message.offset), key: message.key!.toString(), payload, receivedAt: Date.now() });
      },
    });
    seekTo(consumer, start);
    return collector;
  }

  /** Resolves once `predicate` holds for the collected events, or rejects after `timeoutMs`. */
  async waitFor(predicate: (events: CollectedEvent[]) => boolean, timeoutMs = 20000): Promise<CollectedEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) throw new Error(`timed out with ${this.events.length} events collected`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.events;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

/** Accepts events whose follower or following id is in `ids`. */
export function involving(ids: Iterable<string>): (p: GraphEventPayload) => boolean {
  const set = new Set(ids);
  return (p) => set.has(p.follower_id) || set.has(p.following_id);
}
