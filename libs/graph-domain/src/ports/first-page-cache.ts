import { EdgeList } from '../model/edge-list';
import { UserId } from '../model/user-id';

/** The lists whose first page is kept rendered. */
export type FirstPageList = Extract<EdgeList, { kind: 'followers' | 'following' }>;

/** Handed out by a lookup that missed; lets the rendering made after it be stored (once, if still current). */
export interface FirstPageTicket {
  readonly list: FirstPageList;
  readonly limit: number;
  /** The cache's own proof of the versions the lookup saw; opaque outside the adapter. */
  readonly stamp: string;
}

export type FirstPageLookup = { kind: 'hit'; body: string } | { kind: 'miss'; ticket: FirstPageTicket | null };

/**
 * Finished answers to the hottest read: the first page of a followers/following list (a celebrity's
 * followers, opened by every visitor of the profile), kept as the response body itself so that a
 * hit costs one cache call and no rendering. A body is viewer-independent; the lookup also checks
 * that the viewer may see it (public owner, no block), and misses whenever it cannot tell.
 *
 * Never stale: a body is stored only with the ticket of a lookup made before the reads it was
 * rendered from, and only while no write has touched the list or the owner's counters since.
 */
export abstract class FirstPageCache {
  /** Whether the cache can be asked right now (false while it is failing: go straight to the use case). */
  abstract available(): boolean;

  /** The stored body for this viewer, or a miss (with a ticket when a rendering may be stored). Throws when the cache fails. */
  abstract lookup(viewerId: UserId, list: FirstPageList, limit: number): Promise<FirstPageLookup>;

  /** Stores the body rendered after the lookup that gave `ticket`; false when it was refused (a write came first) or failed. */
  abstract remember(ticket: FirstPageTicket, body: string): Promise<boolean>;
}
