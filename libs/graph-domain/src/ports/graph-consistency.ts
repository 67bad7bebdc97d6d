import { UserId } from '../model/user-id';

/** A user's three counters, as stored or as recounted from the edges. */
export interface CounterFigures {
  followers: number;
  following: number;
  pending: number;
}

/** A user whose stored counters differ from a recount of the edges. */
export interface CounterDrift {
  userId: UserId;
  stored: CounterFigures;
  actual: CounterFigures;
}

/** One keyset batch of the consistency check. */
export interface DriftBatch {
  /** Users looked at in this batch (every user with an edge or a counter row, in id order). */
  checked: number;
  /** Those among them whose counters drifted, in id order. */
  drifted: CounterDrift[];
  /** The last user id looked at: pass it as `afterUserId` for the next batch; null when the check is done. */
  lastUserId: UserId | null;
}

export interface CounterRepair {
  userId: UserId;
  before: CounterFigures;
  after: CounterFigures;
  /** False when the counters were already exact (nothing written). */
  changed: boolean;
}

/**
 * Counters against the edges they count (stored counters against COUNT(*) of the edges). Each call is short: a
 * batch is one statement over a bounded id range, and a repair locks one user's counter rows for
 * one recount, so follows never wait on more than that.
 */
export abstract class GraphConsistency {
  /**
   * Checks the next `batchSize` users with id greater than `afterUserId` (null: from the start),
   * in id order. Read-only; sees one snapshot per batch.
   */
  abstract checkBatch(afterUserId: UserId | null, batchSize: number): Promise<DriftBatch>;

  /**
   * Sets the user's counters to a recount of their edges, under the counter rows' locks, so a
   * follow committing meanwhile is counted exactly once (before the recount or as a delta after it).
   * Idempotent: an exact user is left untouched.
   */
  abstract repairUser(userId: UserId): Promise<CounterRepair>;
}
