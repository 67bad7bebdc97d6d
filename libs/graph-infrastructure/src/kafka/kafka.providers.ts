import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventOutbox } from '@graph/domain';
import { InfrastructureOptions } from '../infrastructure.options';
import { OutboxWakeup } from '../postgres/outbox';
import { MetricsRegistry } from '../observability/metrics.registry';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { KafkaConnection, KafkaProbe } from './kafka.connection';
import { KafkaTopics } from './kafka-topics';
import { OutboxMonitor } from './outbox-monitor';
import { OutboxRelayService } from './outbox-relay.service';

/** Kafka: the client, the topics, the outbox relay (when configured) and the outbox's figures. */
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
  {
    provide: EventOutbox,
    inject: [DataSource, OutboxRelayService, MetricsRegistry],
    useFactory: (d: DataSource, r: OutboxRelayService, m: MetricsRegistry) => new OutboxMonitor(d, r, m),
  },
];
