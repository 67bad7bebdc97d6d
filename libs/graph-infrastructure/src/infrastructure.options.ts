import type { DatabaseWaitBudget } from './postgres/postgres-breaker';
import type { ReplicaOptions } from './postgres/read-replicas';

/** What the infrastructure needs to know; the app's validated config supplies it. */
export type DatabaseOptions = (
  | { mode: 'external'; url: string; poolSize: number; statementTimeoutMs: number; replicas?: ReplicaOptions }
  | { mode: 'embedded'; dataDir: string; port: number; poolSize: number; statementTimeoutMs: number }
) & { waits: DatabaseWaitBudget };

export type RedisOptions =
  | { mode: 'external'; url: string; commandTimeoutMs: number }
  /** A Redis Cluster, reached through any of its `nodes` (host:port seeds). */
  | { mode: 'cluster'; nodes: { host: string; port: number }[]; commandTimeoutMs: number }
  | { mode: 'memory' };

export interface OutboxRelayOptions {
  /** Most events read and sent to Kafka per round trip. */
  batchSize: number;
  /** How often the relay looks for rows written by other instances (this instance's writes wake it at once). */
  pollIntervalMs: number;
  /** After a wake-up, how long the relay waits for more commits before it reads (one batch, one mark, for many writes). */
  lingerMs: number;
  /** Sent rows are kept this long (for inspection), then deleted in batches. */
  retentionSeconds: number;
}

/** How the service creates its topics (existing topics are left as they are). */
export interface KafkaTopicOptions {
  /** Copies of each partition: 1 suits one broker, 3 a 3-broker cluster. */
  replicationFactor: number;
  /** Copies that must hold a write before it is acknowledged (acks=all): 1 with one copy, 2 with 3. */
  minInsyncReplicas: number;
}

export type KafkaOptions =
  | { mode: 'external'; brokers: string[]; clientId: string; groupId: string; relay: OutboxRelayOptions; topics: KafkaTopicOptions }
  | { mode: 'disabled' };

export interface CacheOptions {
  ttlSeconds: { followers: number; following: number; relationship: number; stats: number; recommendations: number };
  /** Fraction of a TTL added at random so keys written together do not expire together. */
  jitter: number;
  /** Newest entries kept per cached followers/following list (default 200); deeper pages read Postgres. */
  listWindow?: number;
}

/** Injection token and shape of the options (class and interface merged). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class InfrastructureOptions {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface InfrastructureOptions {
  database: DatabaseOptions;
  /** Apply pending migrations when the pool opens (the embedded default always does). */
  runMigrations: boolean;
  redis: RedisOptions;
  kafka: KafkaOptions;
  cache: CacheOptions;
}
