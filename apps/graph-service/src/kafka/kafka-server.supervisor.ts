import { BeforeApplicationShutdown, INestApplication, INestMicroservice, Logger } from '@nestjs/common';
import { KafkaOptions } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { FAILOVER_RETRY, rideOutBrokerFailover } from '@graph/client';
import { GRAPH_RPC_PATTERNS, USER_EVENTS_TOPIC } from '@graph/contracts';
import { KafkaLogThrottle, KafkaTopics, MetricsRegistry, withDeadline } from '@graph/infrastructure';
import { AppConfig } from '../config/app-config';
import { ConcurrentServerKafka } from './concurrent-server-kafka';
import { KafkaConsumerProgress } from './kafka-consumer-progress';

/** The Kafka server options of the hybrid app: request-reply patterns and user.events in one group. */
function kafkaServerOptions(kafka: Extract<AppConfig['kafka'], { mode: 'external' }>): NonNullable<KafkaOptions['options']> {
  const logger = new Logger('KafkaServer');
  return {
    client: {
      clientId: kafka.clientId,
      brokers: kafka.brokers,
      connectionTimeout: 3000,
      retry: FAILOVER_RETRY,
      // Replaces Nest's logCreator: a broker that is down logs one line per backoff step.
      logCreator: new KafkaLogThrottle((level, message) =>
        level === 'error' ? logger.error(message) : level === 'warn' ? logger.warn(message) : logger.log(message),
      ).logCreator(),
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
 * last minute and user.events at its beginning (see freshGroupStartPoints). When Kafka is down the
 * server keeps retrying in the background, one log line per attempt, waiting twice as long each
 * time (1 s up to 30 s).
 */
export class KafkaServerSupervisor implements BeforeApplicationShutdown {
  private readonly logger = new Logger('KafkaServer');
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attached: { microservice: INestMicroservice; server: ConcurrentServerKafka } | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly topics: KafkaTopics,
  ) {}

  /** Registers the Kafka microservice on the app; call before app.init(). */
  static connect(app: INestApplication, config: AppConfig): { microservice: INestMicroservice; server: ConcurrentServerKafka } | null {
    if (config.kafka.mode !== 'external') return null;
    // A broker kill (even of the group coordinator) costs no consumer crash and no rejoin.
    rideOutBrokerFailover();
    const observe = { metrics: app.get(MetricsRegistry), progress: app.get(KafkaConsumerProgress) };
    const server = new ConcurrentServerKafka(kafkaServerOptions(config.kafka), undefined, undefined, undefined, observe);
    const microservice = app.connectMicroservice({ strategy: server }, { inheritAppConfig: false });
    return { microservice, server };
  }

  /** The microservice registered by connect(), to be started by start(). */
  attach(microservice: INestMicroservice, server: ConcurrentServerKafka): void {
    this.attached = { microservice, server };
  }

  /** Resolves after the first attempt; a failed one is retried in the background. */
  async start(): Promise<void> {
    if (!this.attached || this.stopped) return;
    const { server } = this.attached;
    server.whenStopped((error) => {
      if (this.stopped || this.retryTimer) return;
      this.retryLater(new Error(`kafka consumer stopped (${error.message})`), 200);
    });
    try {
      await this.startOnce();
      this.logger.log('kafka server started');
    } catch (error) {
      this.retryLater(error, 1000);
    }
  }

  private async startOnce(): Promise<void> {
    const { microservice, server } = this.attached!;
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

  private retryLater(error: unknown, delayMs: number): void {
    if (this.stopped) return;
    this.logger.warn(`kafka server not started (${(error as Error).message}); next attempt in ${delayMs / 1000} s`);
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      if (this.stopped) return;
      try {
        await this.attached!.server.close().catch(() => undefined);
        await this.startOnce();
        this.logger.log('kafka server started');
      } catch (err) {
        this.retryLater(err, Math.min(delayMs * 2, 30000));
      }
    }, delayMs);
    this.retryTimer.unref();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}
