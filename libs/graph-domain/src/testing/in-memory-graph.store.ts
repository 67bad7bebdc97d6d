import { AccountPolicies, DEFAULT_USER_SETTINGS, UserSettings } from '../model/account-settings';
import { FollowOptions } from '../model/follow-options';
import { BlockEvent, GraphEvent } from '../model/graph-event';
import { UserId } from '../model/user-id';

export type StoredStatus = 'accepted' | 'pending' | 'rejected';

export interface StoredEdge {
  followerId: UserId;
  followingId: UserId;
  status: StoredStatus;
  /** µs since the epoch; strictly increasing across the store so ordering is deterministic. */
  createdAtUs: bigint;
  options: FollowOptions;
}

export interface StoredBlock {
  blockerId: UserId;
  blockedId: UserId;
  createdAtUs: bigint;
}

/**
 * The state behind the in-memory fakes of the graph ports (unit tests). The write fake and the read
 * fake share one store, as the Postgres adapters share one database. Counters are not stored: the
 * fakes count edges, which is exactly what the real counters must equal.
 */
export class InMemoryGraphStore {
  readonly edges = new Map<string, StoredEdge>();
  readonly blocks = new Map<string, StoredBlock>();
  readonly privateUsers = new Set<UserId>();
  /** Dismissed suggestions, as pairKey(user, dismissed). */
  readonly dismissals = new Set<string>();
  /** Account policies of the users who set any (the others have the defaults). */
  readonly policies = new Map<UserId, AccountPolicies>();
  /** Every event the write side emitted, in order (what the outbox would hold). */
  readonly events: GraphEvent[] = [];
  /** Every block event, in order (the graph.block rows of the outbox). */
  readonly blockEvents: BlockEvent[] = [];
  private clockUs = BigInt(Date.now()) * 1000n;

  static pairKey(a: UserId, b: UserId): string {
    return `${a}>${b}`;
  }

  /** A timestamp later than every one handed out before. */
  tick(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.clockUs = now > this.clockUs ? now : this.clockUs + 1n;
    return this.clockUs;
  }

  edge(followerId: UserId, followingId: UserId): StoredEdge | undefined {
    return this.edges.get(InMemoryGraphStore.pairKey(followerId, followingId));
  }

  settings(userId: UserId): UserSettings {
    return { ...DEFAULT_USER_SETTINGS, ...this.policies.get(userId), isPrivate: this.privateUsers.has(userId) };
  }

  isBlockedEitherWay(a: UserId, b: UserId): boolean {
    return this.blocks.has(InMemoryGraphStore.pairKey(a, b)) || this.blocks.has(InMemoryGraphStore.pairKey(b, a));
  }
}
