import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';

export interface OutgoingMessage {
  topic: string;
  key: string;
  /** JSON text. */
  value: string;
  headers?: Record<string, string>;
}

/**
 * Publishes to Kafka with acks=all. One request in flight per broker keeps the order of one key's
 * messages; a batch is sent once and, when any part of it fails, retried whole by the caller (see
 * connect).
 */
export class KafkaEventPublisher {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;

  constructor(private readonly kafka: Kafka) {}

  /** Sends every message; resolves when all are acknowledged by the in-sync replicas. */
  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.connect();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic);
      if (list) list.push(m);
      else byTopic.set(m.topic, [m]);
    }
    await producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      })),
    });
  }

  /**
   * Drops the producer; the next publish starts a fresh one (new producer id and sequence numbers),
   * which is how the relay recovers cleanly after a broker outage.
   */
  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.connecting = null;
    await producer?.disconnect().catch(() => undefined);
  }

  private connect(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const producer = this.kafka.producer({
        // Not idempotent: kafkajs refuses an idempotent producer without retries, and with none a
        // batch is written once or rejected (see retry below), so there is nothing to de-duplicate.
        idempotent: false,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java-compatible murmur2 partitioning: the same key lands where Java producers put it.
        createPartitioner: Partitioners.DefaultPartitioner,
        // No retries inside kafkajs: its retry of a batch (kafkajs 2.2.4, producer/sendMessages.js)
        // re-sends only to brokers that have not answered yet, so when a dead broker's partitions
        // move to a broker that already answered for its own, their messages are never sent again
        // and the batch still resolves: acknowledged, never written (the 1 of 400 events missing in
        // the 3-broker failover test). A failed batch is rejected instead; the relay sends it again
        // whole with a fresh producer (events may repeat, consumers de-duplicate on event_id).
        retry: { retries: 0 },
      });
      this.connecting = producer
        .connect()
        .then(() => {
          this.producer = producer;
          return producer;
        })
        .catch((error: unknown) => {
          this.connecting = null;
          throw error;
        });
    }
    return this.connecting;
  }
}
