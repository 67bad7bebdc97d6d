/** Key families, one hit/miss counter each. */
export type CacheFamily = 'followers' | 'following' | 'relationship' | 'stats' | 'settings' | 'suggestions';

/** An entry's base key without epoch, e.g. `graph:followers:42`, `graph:relationship:1:2`. */
export function cacheKey(family: CacheFamily, ...ids: string[]): string {
  return `graph:${family}:${ids.join(':')}`;
}

export function familyOf(key: string): CacheFamily {
  return key.split(':', 2)[1] as CacheFamily;
}

/**
 * One entry of a plain read: `value` on a hit; on a miss `ticket` allows one fill (null when a write
 * is in flight on that key, whose result the caller may not cache).
 */
export interface EntryRead {
  value: string | null;
  ticket: string | null;
}

export interface EntriesRead {
  /** The cache generation the read saw; fills must present it. */
  epoch: string;
  entries: EntryRead[];
}

export type ListRead =
  /** Up to `count` members strictly below `after`, newest first; `complete` list ends are marked by END_MEMBER. */
  | { kind: 'hit'; epoch: string; members: string[] }
  | { kind: 'miss'; epoch: string; ticket: string | null };

export interface EntryFill {
  key: string;
  ticket: string;
  value: string;
  ttlMs: number;
}

/** What a committed write does to one entry, applied after the commit and before the write returns. */
export type CacheOp =
  /** Forget the entry (and refuse fills that started before). */
  | { key: string; op: 'drop' }
  /** Add to the exact counters `followers:following:pending` in place; with `dropIfPending`, drop instead when the cached pending count is not 0. */
  | { key: string; op: 'stats'; delta: [number, number, number]; dropIfPending?: boolean }
  /** Add a member to a cached list in place; `guard` (the pair's relationship key) must show no other write in flight on the pair, else the list is dropped. */
  | { key: string; op: 'zadd'; member: string; guard: string }
  /** Remove the user's member from a cached list in place (same guard rule). */
  | { key: string; op: 'zrem'; userId: string; guard: string };

/** Handed out by beginWrite and given back to finishWrite. */
export interface WriteTicket {
  /** The epoch in which the write was announced; null when it could not be announced. */
  epoch: string | null;
  keys: string[];
}

/** Thrown by a store that cannot answer (down, slow, or its circuit breaker open). Callers use Postgres. */
export class CacheUnavailableError extends Error {
  constructor(reason: string) {
    super(`cache unavailable: ${reason}`);
    this.name = 'CacheUnavailableError';
  }
}

/**
 * The store behind the graph cache decorators: versioned entries with compare-and-set fills,
 * in-place list and counter updates, and write announcements.
 *
 * Protocol (what makes a stale fill impossible):
 * - a read that misses gets a ticket (the entry's version); a fill succeeds only when the version
 *   is still the same, no write is announced on the key, and the epoch has not moved;
 * - a write announces itself on every key it affects before it runs (beginWrite: the keys' pending
 *   count goes up and their versions change), and after its commit applies its CacheOps and ends
 *   the announcement (finishWrite). A value filled from Postgres therefore never misses a write
 *   that could still be applied on top of it, and in-place counter deltas never double count;
 * - list members are `<createdAtUs 20 digits>:<user id 20 digits>`: byte order is the keyset order.
 *   A list is either complete (it holds END_MEMBER) or a window of its newest members.
 */
export abstract class GraphCacheStore {
  /** Reads each entry. */
  abstract readEntries(keys: string[]): Promise<EntriesRead>;

  /** Stores values read from Postgres, each only if its ticket is still valid. */
  abstract fillEntries(epoch: string, fills: EntryFill[]): Promise<void>;

  /** Up to `count` members of a cached list strictly older than `after` (a member), newest first. */
  abstract readList(key: string, after: string | null, count: number): Promise<ListRead>;

  /** Stores a list's newest members (all of them when `complete`), only if the ticket is still valid. */
  abstract fillList(epoch: string, key: string, ticket: string, members: string[], complete: boolean, ttlMs: number): Promise<void>;

  /** Announces a write on `keys`. Never throws: a ticket with epoch null makes finishWrite drop instead of update. */
  abstract beginWrite(keys: string[]): Promise<WriteTicket>;

  /** Applies the ops of a committed (or failed: all drops) write and ends its announcement. */
  abstract finishWrite(ticket: WriteTicket, ops: CacheOp[]): Promise<void>;

  /** Drops entries outright (admin eviction). */
  abstract drop(keys: string[]): Promise<void>;

  /** Forgets everything cached so far (after a bulk change that bypassed the write port). */
  abstract invalidateAll(): Promise<void>;

  /** Whether the store is being used right now (false while a breaker is open). */
  abstract available(): boolean;
}

/** Marks the end of a complete list; sorts below every real member. */
export const END_MEMBER = '!';

export function listMember(createdAtUs: string, userId: string): string {
  return `${createdAtUs.padStart(20, '0')}:${userId.padStart(20, '0')}`;
}

export function parseListMember(member: string): { createdAtUs: string; userId: string } {
  const [us, id] = member.split(':');
  return { createdAtUs: us!.replace(/^0+(?=\d)/, ''), userId: id!.replace(/^0+(?=\d)/, '') };
}

/** How many members a list window keeps (deeper pages are read from Postgres). */
export const DEFAULT_LIST_WINDOW = 200;
