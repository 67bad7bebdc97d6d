import { BeforeApplicationShutdown, INestApplication, INestMicroservice, Logger } from '@nestjs/common';
import { KafkaOptions } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { GRAPH_RPC_PATTERNS, USER_EVENTS_TOPIC } from '@graph/contracts';
import { KafkaTopics, withDeadline } from '@graph/infrastructure';
import { AppConfig } from '../config/app-config';
import { ConcurrentServerKafka } from './concurrent-server-kafka';

/** The Kafka server options of the hybrid app: request-reply patterns and user.events in one group. */
export function kafkaServerOptions(kafka: Extract<AppConfig['kafka'], { mode: 'external' }>): NonNullable<KafkaOptions['options']> {
  return {
    client: {
      clientId: kafka.clientId,
      brokers: kafka.brokers,
      connectionTimeout: 3000,
      // Retries capped at 1 s, so a consumer that gives up on a killed broker restarts 1 s later.
      retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 1000 },
    },
    // Nest appends "-server": the group is `${KAFKA_GROUP_ID}-server`.
    consumer: {
      groupId: kafka.groupId,
      allowAutoTopicCreation: false,
      // A crashed instance's partitions move to the others within seconds, and joins settle fast.
      sessionTimeout: 10000,
      heartbeatInterval: 1000,
      // Idle long polls end sooner, so shutting down does not wait out a 5 s fetch.
      maxWaitTimeInMs: 500,
    },
    producer: { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false },
    // Partitions are served concurrently (order is kept within each), so a slow erasure on
    // user.events does not hold up request-reply. Offsets are committed once a second by the
    // server (PeriodicOffsetCommitter), not by kafkajs after every fetch.
    run: { partitionsConsumedConcurrently: 8, autoCommit: false },
    subscribe: { fromBeginning: false },
  };
}

/**
 * Starts the Kafka side of the hybrid app after the HTTP side is initialised: creates the topics,
 * starts the server, and for a consumer group that never consumed, starts request topics at their
 * last minute and user.events at its beginning (see freshGroupStartPoints). When Kafka is down at start the
 * HTTP API still comes up and the server keeps retrying in the background.
 */
export class KafkaServerSupervisor implements BeforeApplicationShutdown {
  private readonly logger = new Logger('KafkaServer');
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly topics: KafkaTopics,
  ) {}

  /** Registers the Kafka microservice on the app; call before app.init(). */
  static connect(app: INestApplication, config: AppConfig): { microservice: INestMicroservice; server: ConcurrentServerKafka } | null {
    if (config.kafka.mode !== 'external') return null;
    const server = new ConcurrentServerKafka(kafkaServerOptions(config.kafka));
    const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
    return { microservice, server };
  }

  async start(microservice: INestMicroservice, server: ConcurrentServerKafka): Promise<void> {
    if (this.config.kafka.mode !== 'external') return;
    server.whenStopped((error) => {
      if (this.stopped || this.retryTimer) return;
      this.logger.warn(`kafka consumer stopped (${error.message}); restarting the server`);
      this.scheduleRetry(microservice, server, 200);
    });
    try {
      await this.startOnce(microservice, server);
    } catch (error) {
      this.logger.warn(`kafka server not started (${(error as Error).message}); retrying in the background`);
      this.scheduleRetry(microservice, server, 1000);
    }
  }

  private async startOnce(microservice: INestMicroservice, server: ConcurrentServerKafka): Promise<void> {
    const kafka = this.config.kafka as Extract<AppConfig['kafka'], { mode: 'external' }>;
    await withDeadline(10000, this.topics.ensure());
    const start = await withDeadline(
      10000,
      this.topics.freshGroupStartPoints(`${kafka.groupId}-server`, {
        recent: Object.values(GRAPH_RPC_PATTERNS),
        earliest: [USER_EVENTS_TOPIC],
      }),
    );
    await microservice.listen();
    await server.startAt(start);
  }

  private scheduleRetry(microservice: INestMicroservice, server: ConcurrentServerKafka, delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      if (this.stopped) return;
      try {
        await server.close().catch(() => undefined);
        await this.startOnce(microservice, server);
        this.logger.log('kafka server started');
      } catch (error) {
        this.logger.warn(`kafka server still not started (${(error as Error).message})`);
        this.scheduleRetry(microservice, server, Math.min(delayMs * 2, 30000));
      }
    }, delayMs);
    this.retryTimer.unref();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}
