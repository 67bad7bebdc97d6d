import { Admin } from 'kafkajs';
import { GRAPH_RPC_PATTERNS, USER_EVENTS_TOPIC } from '@graph/contracts';
import { MetricsRegistry } from '../observability/metrics.registry';
import { withDeadline } from '../observability/dependency-health';
import { KafkaConnection } from './kafka.connection';

/** Messages on `partitions` that the group has not committed yet (a partition never committed counts from its start). */
export function lagOf(committed: { partition: number; offset: string }[], ends: { partition: number; high: string; low: string }[]): number {
  let lag = 0;
  for (const end of ends) {
    const offset = Number(committed.find((c) => c.partition === end.partition)?.offset ?? -1);
    lag += Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
  }
  return lag;
}

/**
 * `graph_kafka_consumer_lag_messages{topic}`: how far the service's consumer group (user.events and
 * the request topics) is behind, read from the broker at scrape time. An unreachable broker leaves
 * the last values.
 */
export class ConsumerLagMonitor {
  constructor(connection: KafkaConnection, metrics: MetricsRegistry) {
    if (connection.options.mode !== 'external') return;
    // Nest's Kafka server appends "-server" to the configured group id.
    const groupId = `${connection.options.groupId}-server`;
    const topics = [USER_EVENTS_TOPIC, ...Object.values(GRAPH_RPC_PATTERNS)];
    metrics.gauge('graph_kafka_consumer_lag_messages', 'Messages the service has not consumed yet, per topic', ['topic'], async function () {
      const read = async (admin: Admin) => {
        const committed = await admin.fetchOffsets({ groupId, topics });
        for (const entry of committed) this.set({ topic: entry.topic }, lagOf(entry.partitions, await admin.fetchTopicOffsets(entry.topic)));
      };
      await withDeadline(1500, connection.getAdmin().then(read)).catch(() => undefined);
    });
  }
}
