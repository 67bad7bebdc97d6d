import { UserId } from './user-id';

/** Exact counters of one user, committed with the edges they count. */
export interface GraphStats {
  userId: UserId;
  followerCount: number;
  followingCount: number;
  pendingRequestsCount: number;
}

export interface Recommendation {
  userId: UserId;
  /** How many of the caller's (sampled) followings follow this account. */
  mutualCount: number;
}

export interface UserSettings {
  isPrivate: boolean;
}
