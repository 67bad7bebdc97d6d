import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Kafka, KafkaConfig, Partitioners, logLevel } from 'kafkajs';
import { firstValueFrom, timeout } from 'rxjs';
import {
  GRAPH_RPC_PATTERNS,
  GraphRpcPattern,
  IdsPageReplyData,
  IdsPageRequest,
  BlockExistsReplyData,
  BlockExistsRequest,
  IsFollowingReplyData,
  IsFollowingRequest,
  MutedIdsReplyData,
  MutedIdsRequest,
  RelationshipDto,
  RelationshipsRequest,
  RpcId,
  RpcReply,
  StatsDto,
  StatsRequest,
  graphRpcReplyTopic,
} from '@graph/contracts';
import { FAILOVER_RETRY, rideOutBrokerFailover } from './kafka-failover';
import { TopicSettings, ensureTopics, freshGroupStartPoints, seekTo } from './kafka-setup';
import { ReplyClientKafka } from './reply-client-kafka';

export interface GraphClientOptions {
  brokers: string[];
  /** Consumer group of the calling service (Nest appends "-client"). Each running instance takes one
   * partition of every reply topic (3 by default), so give instances beyond that their own group. */
  groupId: string;
  clientId?: string;
  /** How long a call waits for its reply (default 5000 ms); then it fails with code TIMEOUT. */
  timeoutMs?: number;
  /** How many times a call that timed out or failed in transport is sent again (default 1). Every
   * pattern is a read, so a repeated request changes nothing; a call waits at most (retries + 1) ×
   * timeoutMs. A broker failover fails the calls of a few seconds: one retry hides most of them. */
  retries?: number;
  /** Replication of the request and reply topics when this client creates them (see TopicSettings):
   * on a 3-broker cluster `{ replicationFactor: 3, minInsyncReplicas: 2 }`. Default: the broker's. */
  topics?: Pick<TopicSettings, 'replicationFactor' | 'minInsyncReplicas'>;
  /** Extra kafkajs client settings (ssl, sasl, retry...). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId'>;
}

/** Paging of an id list: cursor and limit, and optionally each edge's details and a time window. */
export type IdsPageOptions = Omit<IdsPageRequest, 'user_id'>;

/** A failed call: the graph's error code (INVALID_USER_ID, TOO_MANY_IDS...) or TIMEOUT / TRANSPORT. */
export class GraphClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphClientError';
  }
}

const PATTERNS = Object.values(GRAPH_RPC_PATTERNS);


/**
 * Typed request-reply calls to the Graph Service over Kafka. Each method resolves with the reply's
 * `data` or rejects with GraphClientError carrying the reply's error code.
 */
export class GraphClient implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('GraphClient');
  readonly kafka: ReplyClientKafka;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private closed = false;

  constructor(private readonly options: GraphClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.retries = options.retries ?? 1;
    // A broker kill (even of the group coordinator) costs the reply consumer no crash and no rejoin.
    rideOutBrokerFailover();
    this.kafka = new ReplyClientKafka({
      client: { retry: FAILOVER_RETRY, ...options.kafka, brokers: options.brokers, clientId: options.clientId ?? options.groupId },
      consumer: { groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 10000, heartbeatInterval: 1000, maxWaitTimeInMs: 500 },
      producer: { createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false },
      // Replies are only for the instance that asked, so the reply group never needs a position:
      // no commit per fetched reply (kafkajs' autoCommit would send one to the broker each time),
      // and each start begins at the end of the reply topics (onModuleInit).
      run: { autoCommit: false },
    });
    for (const pattern of PATTERNS) this.kafka.subscribeToResponseOf(pattern);
    this.kafka.whenStopped((error) => void this.reconnect(error));
  }

  /**
   * Creates missing request and reply topics, connects (joining the reply group), and, for a group
   * that never consumed, starts the reply topics at their end, so the first call gets its reply.
   */
  async onModuleInit(): Promise<void> {
    const admin = new Kafka({
      ...this.options.kafka,
      brokers: this.options.brokers,
      clientId: `${this.options.clientId ?? this.options.groupId}-admin`,
      logLevel: logLevel.ERROR,
    }).admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [...PATTERNS, ...PATTERNS.map(graphRpcReplyTopic)], this.options.topics);
      await this.kafka.connect();
      const start = await freshGroupStartPoints(admin, `${this.options.groupId}-client`, { latest: PATTERNS.map(graphRpcReplyTopic) });
      seekTo(this.kafka.consumer, start);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.kafka.close();
  }

  /** A reply consumer that crashed for good is replaced (calls in flight fail with TRANSPORT). */
  private async reconnect(error: Error): Promise<void> {
    this.logger.warn(`reply consumer stopped (${error.message}); reconnecting`);
    for (let delayMs = 200; !this.closed; delayMs = Math.min(delayMs * 2, 10000)) {
      try {
        await this.kafka.close();
        await this.kafka.connect();
        return;
      } catch (e) {
        this.logger.warn(`reconnecting failed (${(e as Error).message}); again in ${delayMs} ms`);
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }

  /** How `viewerId` stands towards each of up to 100 users, in the order asked. */
  relationships(viewerId: RpcId, userIds: RpcId[]): Promise<RelationshipDto[]> {
    return this.call(GRAPH_RPC_PATTERNS.relationships, { viewer_id: String(viewerId), user_ids: userIds.map(String) } satisfies RelationshipsRequest);
  }

  /** The subset of up to 1000 `followingIds` that `followerId` follows. */
  async isFollowing(followerId: RpcId, followingIds: RpcId[]): Promise<string[]> {
    const data = await this.call<IsFollowingReplyData>(GRAPH_RPC_PATTERNS.isFollowing, {
      follower_id: String(followerId),
      following_ids: followingIds.map(String),
    } satisfies IsFollowingRequest);
    return data.following_ids;
  }

  /**
   * One page (up to 5000, default 1000) of follower ids, newest first; pass next_cursor back.
   * `with_edges` adds each follow's created_at and options; `since`/`until` (ISO-8601) bound when it was made.
   */
  followerIds(userId: RpcId, page: IdsPageOptions = {}): Promise<IdsPageReplyData> {
    return this.call(GRAPH_RPC_PATTERNS.followerIds, { user_id: String(userId), ...page } satisfies IdsPageRequest);
  }

  /** One page of the ids `userId` follows, as followerIds. */
  followingIds(userId: RpcId, page: IdsPageOptions = {}): Promise<IdsPageReplyData> {
    return this.call(GRAPH_RPC_PATTERNS.followingIds, { user_id: String(userId), ...page } satisfies IdsPageRequest);
  }

  /** Exact counters of up to 100 users, in the order asked. */
  stats(userIds: RpcId[]): Promise<StatsDto[]> {
    return this.call(GRAPH_RPC_PATTERNS.stats, { user_ids: userIds.map(String) } satisfies StatsRequest);
  }

  /** One page (up to 5000, default 1000) of the followers who asked to be notified of `userId`'s posts, newest first. */
  notifySubscriberIds(userId: RpcId, page: IdsPageOptions = {}): Promise<IdsPageReplyData> {
    return this.call(GRAPH_RPC_PATTERNS.notifySubscriberIds, { user_id: String(userId), ...page } satisfies IdsPageRequest);
  }

  /** One page (up to 5000, default 1000) of whom `viewerId` mutes, newest first, with scope and expiry. */
  mutedIds(viewerId: RpcId, page: { cursor?: string | null; limit?: number } = {}): Promise<MutedIdsReplyData> {
    return this.call(GRAPH_RPC_PATTERNS.mutedIds, { viewer_id: String(viewerId), ...page } satisfies MutedIdsRequest);
  }

  /** For each of up to 100 pairs `[userId, otherId]`, whether either blocks the other, in order. */
  async blockExists(pairs: Array<readonly [RpcId, RpcId]>): Promise<boolean[]> {
    const data = await this.call<BlockExistsReplyData>(GRAPH_RPC_PATTERNS.blockExists, {
      pairs: pairs.map(([a, b]) => ({ user_id: String(a), other_id: String(b) })),
    } satisfies BlockExistsRequest);
    return data.pairs.map((p) => p.blocked);
  }

  /** Any pattern, returning the reply's data or throwing its error. */
  async call<T>(pattern: GraphRpcPattern, payload: unknown): Promise<T> {
    const reply = await this.request<T>(pattern, payload);
    if (reply.error) throw new GraphClientError(reply.error.code, reply.error.message);
    return reply.data as T;
  }

  /**
   * Any pattern, returning the raw reply envelope `{data}` or `{error}`. A TIMEOUT or TRANSPORT
   * failure is sent again up to `retries` times (reads only: a repeat is harmless); an error reply
   * is returned as it is.
   */
  async request<T>(pattern: GraphRpcPattern, payload: unknown): Promise<RpcReply<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce<T>(pattern, payload);
      } catch (error) {
        if (attempt >= this.retries || this.closed) throw error;
      }
    }
  }

  private async requestOnce<T>(pattern: GraphRpcPattern, payload: unknown): Promise<RpcReply<T>> {
    try {
      return await firstValueFrom(this.kafka.send<RpcReply<T>>(pattern, payload).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      if ((error as Error)?.name === 'TimeoutError') {
        throw new GraphClientError('TIMEOUT', `no reply to ${pattern} within ${this.timeoutMs} ms`);
      }
      const message = (error as Error)?.message ?? (typeof error === 'string' ? error : JSON.stringify(error));
      this.logger.warn(`${pattern} failed in transport: ${message}`);
      throw new GraphClientError('TRANSPORT', message);
    }
  }
}
