/**
 * The following cap (docs/api.md "Account policies"): an account may follow, pending requests
 * included, up to max(base, floor(its followers × permille / 1000)) accounts. The ratio is kept in
 * thousandths so the Postgres function and the in-memory fake compute the same whole number.
 */
export interface FollowingCap {
  /** The cap for an account with few followers; 0 turns the cap off. */
  base: number;
  /** The cap grows with the account's followers: 1100 = 1.1 × followers. */
  permille: number;
}

export const DEFAULT_FOLLOWING_CAP: Readonly<FollowingCap> = Object.freeze({ base: 7500, permille: 1100 });

export const NO_FOLLOWING_CAP: Readonly<FollowingCap> = Object.freeze({ base: 0, permille: 0 });

/** How many followings and outgoing requests an account with `followers` followers may hold (Infinity: no cap). */
export function followingLimit(cap: FollowingCap, followers: number): number {
  if (cap.base <= 0) return Infinity;
  return Math.max(cap.base, Math.floor((followers * cap.permille) / 1000));
}
