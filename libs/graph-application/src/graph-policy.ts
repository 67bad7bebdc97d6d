import { FollowingCap } from '@graph/domain';

/**
 * The tunable rules the use cases apply, provided by the app from its validated config.
 * (Class as injection token, interface merged into it as the shape.)
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class GraphPolicy {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface GraphPolicy {
  followRateLimit: { limit: number; windowSeconds: number };
  recommendations: { recentFollowings: number; perFollowing: number };
  /** The following cap (docs/api.md "Account policies"); base 0: none. */
  followingCap: FollowingCap;
}
