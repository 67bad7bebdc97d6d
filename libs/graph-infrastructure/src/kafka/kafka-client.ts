import { Kafka, logLevel } from 'kafkajs';

/** A kafkajs client for the configured brokers, logging through the service's logger. */
export function createKafka(
  brokers: string[],
  clientId: string,
  log: (level: 'error' | 'warn' | 'info', message: string) => void,
): Kafka {
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 1000 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log: entry }) => {
      const text = `kafka ${namespace}: ${entry.message}`;
      log(level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'info', text);
    },
  });
}
