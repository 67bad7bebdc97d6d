import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { InfrastructureOptions, KafkaOptions } from '../infrastructure.options';
import { ComponentHealth, DependencyProbe, withDeadline } from '../observability/dependency-health';
import { createKafka } from './kafka-client';

/**
 * The kafkajs client for the configured brokers, or none: without KAFKA_BROKERS events stay in the
 * outbox until a broker is configured.
 */
export class KafkaConnection implements OnApplicationShutdown {
  private static readonly logger = new Logger('Kafka');
  private admin: Admin | null = null;

  private constructor(
    readonly kafka: Kafka | null,
    readonly options: KafkaOptions,
  ) {}

  static open(options: InfrastructureOptions): KafkaConnection {
    if (options.kafka.mode === 'disabled') {
      this.logger.log('kafka: not configured, events are kept in the outbox until KAFKA_BROKERS is set');
      return new KafkaConnection(null, options.kafka);
    }
    const logger = this.logger;
    const kafka = createKafka(options.kafka.brokers, options.kafka.clientId, (level, message) =>
      level === 'error' ? logger.error(message) : level === 'warn' ? logger.warn(message) : logger.log(message),
    );
    logger.log(`kafka: external (${options.kafka.brokers.join(',')})`);
    return new KafkaConnection(kafka, options.kafka);
  }

  /** A connected admin client, created on first use and reused. */
  async getAdmin(): Promise<Admin> {
    if (!this.kafka) throw new Error('kafka is not configured');
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}

export class KafkaProbe extends DependencyProbe {
  readonly name = 'kafka';

  constructor(private readonly connection: KafkaConnection) {
    super();
  }

  async check(): Promise<ComponentHealth> {
    if (!this.connection.kafka) return { status: 'disabled', mode: 'disabled' };
    try {
      // One second in all: an orchestrator's readiness probe times out after one by default.
      await withDeadline(
        1000,
        this.connection.getAdmin().then((admin) => admin.describeCluster()),
      );
      return { status: 'up', mode: 'external' };
    } catch (error) {
      return { status: 'down', mode: 'external', detail: (error as Error).message };
    }
  }
}
