import { SeekPoint, ensureTopics, freshGroupStartPoints } from '@graph/client';
import { GRAPH_EVENT_PARTITIONS, allGraphTopics } from '@graph/contracts';
import { KafkaConnection } from './kafka.connection';

/** Creates the service's topics and prepares its consumer group (no-ops without Kafka). */
export class KafkaTopics {
  constructor(private readonly connection: KafkaConnection) {}

  get enabled(): boolean {
    return this.connection.kafka !== null;
  }

  /** Every graph.* event topic, graph.rpc.* topic and its .reply topic, and user.events. */
  async ensure(): Promise<string[]> {
    if (!this.connection.kafka) return [];
    return ensureTopics(await this.connection.getAdmin(), allGraphTopics(), GRAPH_EVENT_PARTITIONS);
  }

  /** Start points for a consumer group that never consumed: see freshGroupStartPoints. */
  async freshGroupStartPoints(groupId: string, topics: Parameters<typeof freshGroupStartPoints>[2]): Promise<SeekPoint[]> {
    if (!this.connection.kafka) return [];
    return freshGroupStartPoints(await this.connection.getAdmin(), groupId, topics);
  }
}
