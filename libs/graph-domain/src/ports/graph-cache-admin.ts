import { UserId } from '../model/user-id';

export interface CacheFamilyHitRate {
  /** followers, following, relationship, stats, settings, suggestions */
  family: string;
  hits: number;
  misses: number;
  /** Reads served from Postgres because the cache was unavailable. */
  bypassed: number;
  /** hits / (hits + misses), null before the first read. */
  hitRate: number | null;
}

/**
 * Operating the read cache (admin API). In-process counters since the start of this instance.
 * With no cache configured the methods still answer (the in-process cache is always there).
 */
export abstract class GraphCacheAdmin {
  /** Loads the first followers page, stats and settings of the `count` most-followed users. */
  abstract warmMostFollowed(count: number): Promise<{ warmedUserIds: UserId[] }>;

  /** Drops the user's cached lists, stats, settings and suggestions (relationships expire by TTL). */
  abstract evictUser(userId: UserId): Promise<void>;

  /** Drops everything (after a bulk import that bypassed the write port). */
  abstract invalidateAll(): Promise<void>;

  abstract hitRates(): Promise<CacheFamilyHitRate[]>;
}
