import { Provider } from '@nestjs/common';
import { InfrastructureOptions } from '../infrastructure.options';
import { KafkaConnection, KafkaProbe } from './kafka.connection';

/** Kafka: the client, and (when configured) the outbox relay and the topics it needs. */
export const kafkaProviders: Provider[] = [
  { provide: KafkaConnection, inject: [InfrastructureOptions], useFactory: (o: InfrastructureOptions) => KafkaConnection.open(o) },
  { provide: KafkaProbe, inject: [KafkaConnection], useFactory: (c: KafkaConnection) => new KafkaProbe(c) },
];
