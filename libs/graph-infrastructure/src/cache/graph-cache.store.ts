/** Key families, one hit/miss counter each. */
export type CacheFamily = 'followers' | 'following' | 'relationship' | 'stats' | 'settings' | 'suggestions' | 'mutes';

/**
 * Families of keys: the counted ones, plus `blocks` (the accounts a user blocks, read only as part
 * of a list page, whose lookup it is counted with) and `page` (a rendered first page of a list,
 * counted with the list's family).
 */
export type CacheKeyFamily = CacheFamily | 'blocks' | 'page';

/**
 * An entry's base key without epoch, hash-tagged by the user it belongs to (a pair's by its viewer),
 * e.g. `graph:{42}:followers`, `graph:{1}:relationship:2`, `graph:{42}:page:followers:20`: all of
 * one user's entries share a Redis Cluster slot, so a script over them runs on one node.
 */
export function cacheKey(family: CacheKeyFamily, ownerId: string, ...rest: string[]): string {
  return `graph:{${ownerId}}:${[family, ...rest].join(':')}`;
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
  /** The cache generation(s) the read saw (opaque: one per slot on a cluster); fills must present it. */
  epoch: string;
  entries: EntryRead[];
}

export type ListRead =
  /** Up to `count` members strictly below `after`, newest first; `complete` list ends are marked by END_MEMBER. */
  | { kind: 'hit'; epoch: string; members: string[] }
  | { kind: 'miss'; epoch: string; ticket: string | null };

/** Everything a page of a followers/following list needs, read in one store call. */
export interface ListPageQuery {
  /** The list's key (`graph:followers:<owner>`). */
  list: string;
  /** The owner's counters. */
  stats: string;
  /** The owner's settings and block set; null when the viewer is the owner (nothing to check). */
  settings: string | null;
  blocks: string | null;
  viewerId: string;
  /** As readList: members strictly below `after`, at most `count`. */
  after: string | null;
  count: number;
}

export interface ListPageEntries {
  epoch: string;
  /** `0`/`1` (is_private); `0` when no settings key was asked. */
  settings: EntryRead;
  stats: EntryRead;
  /**
   * Whether the owner's cached block set holds the viewer (`yes`/`no`; `no` when no blocks key was
   * asked), `many` when the owner blocks too many accounts for a set to be cached, null on a miss.
   */
  blocks: { blocked: 'yes' | 'no' | 'many' | null; ticket: string | null };
  list: { kind: 'hit'; members: string[] } | { kind: 'miss'; ticket: string | null };
}

/**
 * A rendered first page of a followers/following list (the response body, viewer-independent) and
 * what the viewer must clear to be given it. See GraphCacheStore.readRenderedPage.
 */
export interface RenderedPageQuery {
  /** Where the body is kept (`graph:page:followers:<owner>:<limit>`). */
  page: string;
  /** The entries the body was rendered from: any write announced on them makes it stale. */
  list: string;
  stats: string;
  /** As ListPageQuery: null when the viewer is the owner. */
  settings: string | null;
  blocks: string | null;
  viewerId: string;
}

export type RenderedPageRead =
  /** The stored body, current, and the owner is public and does not block the viewer (cached entries say so). */
  | { kind: 'hit'; body: string }
  /**
   * Anything else (no body, a stale one, a private owner, a block, entries not cached). `stamp`
   * names the versions of `list` and `stats` now: a body rendered from reads made after this one may
   * be stored with it. Null while a write is announced on either (nothing may be stored then).
   */
  | { kind: 'miss'; epoch: string; stamp: string | null };

export interface RenderedPageFill {
  epoch: string;
  page: string;
  list: string;
  stats: string;
  stamp: string;
  body: string;
  ttlMs: number;
}

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
  /**
   * Add a member to a cached list in place; `guard` (the pair's relationship key seen from the
   * list's owner, so in the list's slot) must show no other write in flight on the pair, else the
   * list is dropped.
   */
  | { key: string; op: 'zadd'; member: string; guard: string }
  /** Remove the user's member from a cached list in place (same guard rule). */
  | { key: string; op: 'zrem'; userId: string; guard: string };

/** Handed out by beginWrite and given back to finishWrite. */
export interface WriteTicket {
  /** The epoch(s) in which the write was announced (opaque); null when it could not be announced at all. */
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

  /**
   * One list page's entries in one call (one round trip): the owner's settings, whether its block
   * set holds the viewer, its counters and the list members, each hit or miss with a ticket as in
   * readEntries and readList.
   */
  abstract readListPage(query: ListPageQuery): Promise<ListPageEntries>;

  /**
   * A rendered page for one viewer, in one call: the body when it is still current (rendered at the
   * present versions of its list and counters) and the cached settings and block set let the viewer
   * see it; else a miss with the stamp to store a fresh rendering under.
   */
  abstract readRenderedPage(query: RenderedPageQuery): Promise<RenderedPageRead>;

  /**
   * Stores a rendering made after the read that gave `stamp`, only if the list's and counters'
   * versions are still the stamp's (no write announced since, none in flight) in the same epoch.
   * Returns whether it was stored.
   */
  abstract fillRenderedPage(fill: RenderedPageFill): Promise<boolean>;

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

/** A TTL in ms with up to `jitter` of it added at random, so entries written together do not expire together. */
export function jitteredTtlMs(seconds: number, jitter: number): number {
  return seconds * 1000 * (1 + jitter * Math.random());
}

export function listMember(createdAtUs: string, userId: string): string {
  return `${createdAtUs.padStart(20, '0')}:${userId.padStart(20, '0')}`;
}

export function parseListMember(member: string): { createdAtUs: string; userId: string } {
  const colon = member.indexOf(':');
  return { createdAtUs: unpad(member, 0, colon), userId: unpad(member, colon + 1, member.length) };
}

/** member[from, to) without its leading zeros (one digit at least); on every cached page row, so no regex. */
function unpad(member: string, from: number, to: number): string {
  let i = from;
  while (i < to - 1 && member.charCodeAt(i) === 48) i++;
  return member.slice(i, to);
}

/**
 * A block set entry's value: `,id,id,` (`,` for none), or BLOCKS_MANY when the owner blocks more
 * than fit in one entry (then the pair's relationship is asked instead).
 */
export const BLOCKS_MANY = '*';

/** Most blocked accounts kept in one block set entry (a few KB; checked with one substring search). */
export const BLOCK_SET_CAP = 1000;

export function encodeBlockSet(blockedIds: string[]): string {
  return blockedIds.length > BLOCK_SET_CAP ? BLOCKS_MANY : `,${blockedIds.join(',')}${blockedIds.length ? ',' : ''}`;
}

export function blockSetHolds(value: string, viewerId: string): 'yes' | 'no' | 'many' {
  if (value === BLOCKS_MANY) return 'many';
  return value.includes(`,${viewerId},`) ? 'yes' : 'no';
}

/** How many members a list window keeps (deeper pages are read from Postgres). */
export const DEFAULT_LIST_WINDOW = 200;
