import { keepKafkaMemberIdAcrossRestarts, loadConsumerGroup } from './kafka-member-carryover';
import { stopIdleRequestQueueLoop } from './kafka-request-queue';

/**
 * kafkajs retries for clients that must ride out a broker failover (the service's Kafka server and
 * GraphClient): attempts at most 300 ms apart, about 2 s in all. A send or fetch aimed at a killed
 * partition leader fails until the controller fences it and the metadata names the new leader; with
 * kafkajs' default backoff (growing to 30 s) a consumer waited 11 s to restart, and with steps up to
 * 1 s the first attempt after the new leader was known still came up to a second late.
 */
export const FAILOVER_RETRY = { initialRetryTime: 100, retries: 8, maxRetryTime: 300 };

/**
 * The runtime patches of kafkajs that let the service's and GraphClient's consumers ride out a
 * broker kill (docs/scaling.md, "A replicated Kafka"): the coordinator found again without a crash,
 * and, should kafkajs still crash and restart a consumer, its member id kept. Also stops kafkajs'
 * idle request-queue timer loop (kafka-request-queue.ts) for every client of the process. Call
 * before consumers start; idempotent.
 */
export function rideOutBrokerFailover(): void {
  rideOutCoordinatorLoss();
  keepKafkaMemberIdAcrossRestarts();
  stopIdleRequestQueueLoop();
}

/**
 * Lets a running kafkajs consumer ride out the death of a broker instead of crashing.
 *
 * kafkajs 2.2.4 keeps the group coordinator it found at join and, when that broker is killed, keeps
 * sending heartbeats (and commits) to it: every one fails (connection refused), each failure counts
 * against the runner's retries, and once they run out the consumer crashes and kafkajs restarts it
 * (a new join, seconds later). Fetches from a partition leader that died fail the same way. The Java
 * client instead marks the coordinator unknown, finds the new one and goes on heartbeating with the
 * same generation: the new coordinator loaded the group from `__consumer_offsets`, so nothing is
 * rebalanced. This does the same:
 *
 * - a heartbeat or commit that fails because the coordinator is gone (connection refused or closed,
 *   a request timeout, NOT_COORDINATOR, coordinator not available or loading) starts a search for the
 *   new coordinator in the background; heartbeats are skipped (not failed) while it runs, for at most
 *   the session timeout since the last answered heartbeat, then kafkajs' own handling takes over;
 *   commits meanwhile are skipped (their offsets go with the next commit; consumer.commitOffsets
 *   then emits no COMMIT_OFFSETS event); the coordinator found replaces the old one for both;
 * - a fetch whose partition leader cannot be reached waits a moment and returns nothing (kafkajs
 *   already refreshed the metadata) instead of failing the runner; once the metadata names the new
 *   leader, kafkajs' fetchers move to it.
 *
 * Errors that mean the group itself moved on (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID) still reach kafkajs, which rejoins. kafkajs is unmaintained since 2023, so these
 * internals stay put; if they changed, nothing is patched and kafkajs' own behaviour remains.
 * Installed once per process; idempotent. Returns whether the patch is in place.
 */
export function rideOutCoordinatorLoss(): boolean {
  if (installed !== null) return installed;
  const proto = loadConsumerGroup()?.prototype as ConsumerGroupInternals | undefined;
  if (!proto || !['heartbeat', 'commitOffsets', 'commitOffsetsIfNecessary', 'recoverFromFetch'].every((m) => typeof proto[m as keyof ConsumerGroupInternals] === 'function')) {
    return (installed = false);
  }
  const { heartbeat, commitOffsets, commitOffsetsIfNecessary, recoverFromFetch } = proto;

  proto.heartbeat = async function (this: ConsumerGroupInternals, options) {
    if (searches.has(this)) return;
    try {
      await heartbeat.call(this, options);
    } catch (error) {
      if (!findNewCoordinator(this, error)) throw error;
    }
  };
  const committing = (commit: (this: ConsumerGroupInternals, ...args: unknown[]) => Promise<unknown>) =>
    async function (this: ConsumerGroupInternals, ...args: unknown[]) {
      try {
        return await commit.apply(this, args);
      } catch (error) {
        // Skipped, not failed: the offsets stay uncommitted and go with the next commit, to the new
        // coordinator (a failed autoCommit would count against the runner's retries, like a heartbeat).
        if (findNewCoordinator(this, error)) return undefined;
        throw error;
      }
    };
  proto.commitOffsets = committing(commitOffsets);
  proto.commitOffsetsIfNecessary = committing(commitOffsetsIfNecessary);
  proto.recoverFromFetch = async function (this: ConsumerGroupInternals, error: unknown) {
    if (!leaderUnreachable(error)) return recoverFromFetch.call(this, error);
    this.logger.debug('Partition leader unreachable, fetching again once the metadata names a new one', { groupId: this.groupId, error: (error as Error).message });
    await sleep(Math.min(this.maxWaitTime, RETRY_MS));
  };
  return (installed = true);
}

let installed: boolean | null = null;

/** How long to wait between attempts to find the coordinator or reach a partition leader. */
const RETRY_MS = 250;

/** FindCoordinator's key type of a consumer group (1 is a transaction coordinator). */
const GROUP_COORDINATOR = 0;

/** Groups whose coordinator is being searched for. */
const searches = new WeakSet<object>();

const COORDINATOR_GONE_TYPES = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);
const UNREACHABLE_NAMES = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);

function coordinatorGone(error: unknown): boolean {
  const e = error as { name?: string; type?: string } | undefined;
  return Boolean(e && (UNREACHABLE_NAMES.has(e.name ?? '') || COORDINATOR_GONE_TYPES.has(e.type ?? '')));
}

/** A broker that cannot be reached at all (kafkajs handles a closed connection itself). */
function leaderUnreachable(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'KafkaJSConnectionError' || name === 'KafkaJSRequestTimeoutError';
}

/**
 * Starts looking for the group's new coordinator when `error` says the old one is gone and the
 * member's session can still be alive there; returns false (kafkajs handles the error) otherwise.
 */
function findNewCoordinator(group: ConsumerGroupInternals, error: unknown): boolean {
  const sessionEndsAt = group.lastRequest + group.sessionTimeout;
  if (!coordinatorGone(error) || !group.memberId || Date.now() >= sessionEndsAt) return false;
  // Concurrent workers share one heartbeat, so they all see its failure: one search is enough.
  if (searches.has(group)) return true;
  const startedAt = Date.now();
  group.logger.warn('Group coordinator lost, finding the new one', { groupId: group.groupId, error: (error as Error).message });
  searches.add(group);
  void (async () => {
    try {
      while (Date.now() < sessionEndsAt && group.memberId) {
        try {
          // One FindCoordinator and one connect per attempt (cluster.findGroupCoordinator would back off up
          // to a second between its own retries); findBroker fails on a broker it cannot connect to.
          const { coordinator: found } = await group.cluster.findGroupCoordinatorMetadata({ groupId: group.groupId, coordinatorType: GROUP_COORDINATOR });
          const coordinator = await group.cluster.findBroker({ nodeId: found.nodeId });
          group.coordinator = coordinator;
          if (group.offsetManager) group.offsetManager.coordinator = coordinator;
          group.logger.warn('Found the new group coordinator', { groupId: group.groupId, nodeId: coordinator.nodeId, afterMs: Date.now() - startedAt });
          return;
        } catch {
          // The dead broker is still named until the controller fences it: ask again.
        }
        await sleep(RETRY_MS);
      }
    } finally {
      searches.delete(group);
    }
  })();
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface BrokerInternals {
  nodeId?: number;
}

interface ConsumerGroupInternals {
  groupId: string;
  memberId: string | null;
  sessionTimeout: number;
  maxWaitTime: number;
  /** When kafkajs last had a heartbeat answered (or created the group). */
  lastRequest: number;
  coordinator: BrokerInternals | null;
  offsetManager: { coordinator: BrokerInternals } | null;
  cluster: {
    findGroupCoordinatorMetadata(args: { groupId: string; coordinatorType: number }): Promise<{ coordinator: { nodeId: number } }>;
    findBroker(args: { nodeId: number }): Promise<BrokerInternals>;
  };
  logger: { warn(message: string, extra?: object): void; debug(message: string, extra?: object): void };
  heartbeat(options: { interval: number }): Promise<void>;
  commitOffsets(...args: unknown[]): Promise<unknown>;
  commitOffsetsIfNecessary(...args: unknown[]): Promise<unknown>;
  recoverFromFetch(error: unknown): Promise<void>;
}
