import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InfrastructureOptions } from '../infrastructure.options';
import { MetricsRegistry } from '../observability/metrics.registry';
import { KafkaConnection } from './kafka.connection';
import { KafkaEventPublisher } from './kafka-event.publisher';
import { KafkaTopics } from './kafka-topics';
import { OutboxRelay } from './outbox-relay';
import { OutboxWakeup } from '../postgres/outbox';

/**
 * Runs the outbox relay in this process when Kafka is configured: topics are created and the relay
 * started once the application is up, and the relay stops in beforeApplicationShutdown, before the
 * database and Kafka connections close.
 */
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay | null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    options: InfrastructureOptions,
    connection: KafkaConnection,
    dataSource: DataSource,
    metrics: MetricsRegistry,
    topics: KafkaTopics,
    private readonly wakeup: OutboxWakeup,
  ) {
    const kafka = options.kafka;
    const url = (dataSource.options as { url?: string }).url;
    this.relay =
      kafka.mode === 'external' && connection.kafka && url
        ? new OutboxRelay({
            connectionString: url,
            publisher: new KafkaEventPublisher(connection.kafka),
            metrics,
            options: kafka.relay,
            ensureTopics: async () => void (await topics.ensure()),
          })
        : null;
  }

  onApplicationBootstrap(): void {
    if (!this.relay) return;
    // Nothing awaited here, so a broker that is down never holds up the start: the relay creates
    // the topics before its first publish and backs off while Kafka is unreachable.
    this.unsubscribe = this.wakeup.subscribe(() => this.relay?.wake());
    this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.relay?.stop();
  }
}
