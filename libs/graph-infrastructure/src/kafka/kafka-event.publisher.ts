import { CompressionTypes, Kafka, Partitioners, Producer } from 'kafkajs';

export interface OutgoingMessage {
  topic: string;
  key: string;
  /** JSON text. */
  value: string;
  headers?: Record<string, string>;
}

/**
 * Publishes to Kafka with acks=all and the idempotent producer. One request in flight per broker
 * keeps the order of one key's messages even when a send is retried.
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
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java-compatible murmur2 partitioning: the same key lands where Java producers put it.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
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
