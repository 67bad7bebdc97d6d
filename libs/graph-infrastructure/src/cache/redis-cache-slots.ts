import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis } from 'ioredis';

/** The shard name that stands for every slot (one Redis; or a cluster whose slot map is not known yet). */
export const ALL_SLOTS = '*';

const CLUSTER_SLOTS = 16384;

/**
 * Where the cache's epoch and version clock live for a key, and which node (breaker) serves it.
 * A "group" is a Redis Cluster hash slot (0 on a single node): a script only touches keys of one.
 */
export interface CacheSlots {
  groupOf(key: string): number;
  epochKey(group: number): string;
  clockKey(group: number): string;
  /** The name of the node serving a group: its breaker. */
  shardOf(group: number): string;
  /** The groups a shard serves (their epochs move when its breaker closes). */
  groupsOf(shard: string): number[];
  allGroups(): number[];
  /**
   * Tells `listener` the shard of a node whose connection closed (invalidations to it may be lost);
   * a single Redis not connected yet counts as one.
   */
  onNodeLost(listener: (shard: string) => void): void;
}

/** One Redis: one group, one breaker, the epoch in `graph:epoch` as it always was. */
class SingleNodeSlots implements CacheSlots {
  constructor(private readonly redis: Redis) {}
  groupOf(): number {
    return 0;
  }
  epochKey(): string {
    return 'graph:epoch';
  }
  clockKey(): string {
    return 'graph:clock';
  }
  shardOf(): string {
    return ALL_SLOTS;
  }
  groupsOf(): number[] {
    return [0];
  }
  allGroups(): number[] {
    return [0];
  }
  onNodeLost(listener: (shard: string) => void): void {
    this.redis.on('close', () => listener(ALL_SLOTS));
    if (this.redis.status !== 'ready') listener(ALL_SLOTS);
  }
}

let slotTags: string[] | null = null;

/** For each slot, a short hash tag that lands in it (found once by trying numbers: ~170,000 CRC16s). */
function tagsBySlot(): string[] {
  if (slotTags) return slotTags;
  const tags = new Array<string>(CLUSTER_SLOTS);
  let found = 0;
  for (let i = 0; found < CLUSTER_SLOTS; i++) {
    const tag = `s${i}`;
    const slot = calculateSlot(tag);
    if (tags[slot] === undefined) {
      tags[slot] = tag;
      found++;
    }
  }
  slotTags = tags;
  return tags;
}

/**
 * Redis Cluster: an epoch and a clock per hash slot (`graph:{s123}:epoch`, in the slot they
 * govern), and a shard per master, named by the lowest slot it serves, so a replica promoted in a
 * failover takes over its master's name, breaker and all.
 */
class ClusterSlots implements CacheSlots {
  private readonly tags = tagsBySlot();
  private shards: string[] | null = null;
  private masters = new Map<string, string>();

  constructor(private readonly cluster: Cluster) {
    cluster.on('refresh', () => (this.shards = null));
  }

  groupOf(key: string): number {
    return calculateSlot(key);
  }
  epochKey(group: number): string {
    return `graph:{${this.tags[group]}}:epoch`;
  }
  clockKey(group: number): string {
    return `graph:{${this.tags[group]}}:clock`;
  }

  shardOf(group: number): string {
    return this.map()?.[group] ?? ALL_SLOTS;
  }

  groupsOf(shard: string): number[] {
    const map = this.map();
    if (shard === ALL_SLOTS || !map) return this.allGroups();
    return map.flatMap((s, group) => (s === shard ? [group] : []));
  }

  allGroups(): number[] {
    return Array.from({ length: CLUSTER_SLOTS }, (_, i) => i);
  }

  onNodeLost(listener: (shard: string) => void): void {
    this.cluster.on('+node', (node: Redis) => {
      const address = `${node.options.host}:${node.options.port}`;
      node.on('close', () => {
        this.map();
        // A replica's connection closing loses nothing: the cache reads and writes masters only.
        const shard = this.masters.get(address);
        if (shard !== undefined) listener(shard);
      });
    });
    // Not the cluster's own 'close': each master's connection reports its own loss above, and
    // before the slot map is known nothing was sent (the store refuses calls until it is ready).
  }

  /** slot → shard from ioredis's slot table (kept up to date by its refreshes), null until it is loaded. */
  private map(): string[] | null {
    if (this.shards) return this.shards;
    const table = this.cluster.slots;
    if (!table || table.length < CLUSTER_SLOTS || table.some((nodes) => !nodes?.[0])) return null;
    const lowest = new Map<string, string>();
    const shards = new Array<string>(CLUSTER_SLOTS);
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      const master = table[slot]![0]!;
      if (!lowest.has(master)) lowest.set(master, String(slot));
      shards[slot] = lowest.get(master)!;
    }
    this.masters = lowest;
    this.shards = shards;
    return shards;
  }
}

export function cacheSlotsOf(redis: Redis | Cluster): CacheSlots {
  return redis instanceof Cluster ? new ClusterSlots(redis) : new SingleNodeSlots(redis);
}
