import { UserId } from './user-id';

/** Exact counters of one user, committed with the edges they count. */
export interface GraphStats {
  userId: UserId;
  followerCount: number;
  followingCount: number;
  pendingRequestsCount: number;
}

/** A user's counters as one viewer may see them: null for a count its owner hides from the viewer. */
export interface VisibleStats {
  userId: UserId;
  followerCount: number | null;
  followingCount: number | null;
  pendingRequestsCount: number | null;
}

export interface Recommendation {
  userId: UserId;
  /** How many of the caller's (sampled) followings follow this account. */
  mutualCount: number;
  /**
   * Up to GRAPH_LIMITS.knownFollowersSample of the caller's followings that follow it (as
   * sampleKnownFollowers gives them), when the repository has them at hand: the cache keeps them
   * with the first suggestions. Absent means not read, not none.
   */
  sampleMutualIds?: UserId[];
}

/** "Followed by X, Y and 3 others you follow": how many of the viewer's followings follow a target, and a few of them. */
export interface KnownFollowersSummary {
  userId: UserId;
  count: number;
  /** Up to `sample` of them, most recent follow of the target first. */
  sampleIds: UserId[];
}
