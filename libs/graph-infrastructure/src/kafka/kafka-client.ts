import { Kafka, logLevel } from 'kafkajs';
import { KafkaLogSink, KafkaLogThrottle } from './kafka-log-throttle';

/** A kafkajs client for the configured brokers, logging through the service's logger (throttled). */
export function createKafka(brokers: string[], clientId: string, log: KafkaLogSink): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator: new KafkaLogThrottle(log).logCreator(),
  });
}
