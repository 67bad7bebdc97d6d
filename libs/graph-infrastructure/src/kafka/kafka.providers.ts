import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InfrastructureOptions } from '../infrastructure.options';
import { OutboxWakeup } from '../postgres/outbox';
import { MetricsRegistry } from '../observability/metrics.registry';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { KafkaConnection, KafkaProbe } from './kafka.connection';
import { KafkaTopics } from './kafka-topics';
import { OutboxRelayService } from './outbox-relay.service';

/** Kafka internals: the client, its probe, the topics, the consumer-lag figures and the outbox relay (when configured). */
export const kafkaProviders: Provider[] = [
  { provide: KafkaConnection, inject: [InfrastructureOptions], useFactory: (o: InfrastructureOptions) => KafkaConnection.open(o) },
  { provide: KafkaProbe, inject: [KafkaConnection], useFactory: (c: KafkaConnection) => new KafkaProbe(c) },
  { provide: KafkaTopics, inject: [KafkaConnection], useFactory: (c: KafkaConnection) => new KafkaTopics(c) },
  { provide: ConsumerLagMonitor, inject: [KafkaConnection, MetricsRegistry], useFactory: (c: KafkaConnection, m: MetricsRegistry) => new ConsumerLagMonitor(c, m) },
  {
    provide: OutboxRelayService,
    inject: [InfrastructureOptions, KafkaConnection, DataSource, MetricsRegistry, KafkaTopics, OutboxWakeup],
    useFactory: (o: InfrastructureOptions, c: KafkaConnection, d: DataSource, m: MetricsRegistry, t: KafkaTopics, w: OutboxWakeup) =>
      new OutboxRelayService(o, c, d, m, t, w),
  },
];
