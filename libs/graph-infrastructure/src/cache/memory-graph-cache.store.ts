import {
  CacheOp,
  END_MEMBER,
  EntriesRead,
  EntryFill,
  EntryRead,
  GraphCacheStore,
  ListPageEntries,
  ListPageQuery,
  ListRead,
  RenderedPageFill,
  RenderedPageQuery,
  RenderedPageRead,
  blockSetHolds,
  WriteTicket,
} from './graph-cache.store';

interface Entry {
  version: string;
  pending: number;
  value: string | null;
  expiresAt: number;
}

interface RenderedPage {
  body: string;
  stamp: string;
  expiresAt: number;
}

interface List {
  /** Ascending byte order, as a Redis sorted set with equal scores keeps them. */
  members: string[];
  expiresAt: number;
}

/** How long a version record lives without data, and at least while a write is announced. */
export const PLACEHOLDER_TTL_MS = 120_000;
export const PENDING_TTL_MS = 60_000;

/**
 * The cache store of the embedded default (no REDIS_URL): the same protocol as the Redis store,
 * in this process. Single-threaded JavaScript makes each method atomic, as a Lua script is in Redis.
 * Bounded: past `maxEntries` the oldest entries go first.
 */
export class MemoryGraphCacheStore extends GraphCacheStore {
  private readonly entries = new Map<string, Entry>();
  private readonly lists = new Map<string, List>();
  private readonly pages = new Map<string, RenderedPage>();
  private clock = 0;
  private epoch = 0;

  constructor(
    private readonly listWindow: number,
    private readonly maxEntries = 200_000,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  available(): boolean {
    return true;
  }

  async readEntries(keys: string[]): Promise<EntriesRead> {
    return { epoch: String(this.epoch), entries: keys.map((key) => this.readEntry(key)) };
  }

  async readListPage(q: ListPageQuery): Promise<ListPageEntries> {
    const settings = q.settings ? this.readEntry(q.settings) : { value: '0', ticket: null };
    let blocks: ListPageEntries['blocks'] = { blocked: 'no', ticket: null };
    if (q.blocks) {
      const b = this.readEntry(q.blocks);
      blocks = b.value === null ? { blocked: null, ticket: b.ticket } : { blocked: blockSetHolds(b.value, q.viewerId), ticket: null };
    }
    const stats = this.readEntry(q.stats);
    const list = this.readListNow(q.list, q.after, q.count);
    return {
      epoch: String(this.epoch),
      settings,
      stats,
      blocks,
      list: list.kind === 'hit' ? { kind: 'hit', members: list.members } : { kind: 'miss', ticket: list.ticket },
    };
  }

  async fillEntries(epoch: string, fills: EntryFill[]): Promise<void> {
    if (epoch !== String(this.epoch)) return;
    for (const f of fills) {
      const e = this.entry(f.key, false);
      if (!e || e.version !== f.ticket || e.pending > 0) continue;
      e.value = f.value;
      e.expiresAt = this.now() + f.ttlMs;
    }
  }

  async readList(key: string, after: string | null, count: number): Promise<ListRead> {
    return this.readListNow(key, after, count);
  }

  private readEntry(key: string): EntryRead {
    const e = this.entry(key, true)!;
    if (e.value !== null) return { value: e.value, ticket: null };
    return { value: null, ticket: e.pending > 0 ? null : e.version };
  }

  private readListNow(key: string, after: string | null, count: number): ListRead {
    const list = this.list(key);
    if (list) {
      const below = after === null ? list.members.length : lowerBound(list.members, after);
      const members: string[] = [];
      for (let i = below - 1; i >= 0 && members.length < count; i--) members.push(list.members[i]!);
      return { kind: 'hit', epoch: String(this.epoch), members };
    }
    const e = this.entry(key, true)!;
    return { kind: 'miss', epoch: String(this.epoch), ticket: e.pending > 0 ? null : e.version };
  }

  async fillList(epoch: string, key: string, ticket: string, members: string[], complete: boolean, ttlMs: number): Promise<void> {
    if (epoch !== String(this.epoch)) return;
    const e = this.entry(key, false);
    if (!e || e.version !== ticket || e.pending > 0) return;
    const all = complete ? [...members, END_MEMBER] : [...members];
    all.sort();
    this.lists.set(key, { members: all, expiresAt: this.now() + ttlMs });
    this.bound();
  }

  async readRenderedPage(q: RenderedPageQuery): Promise<RenderedPageRead> {
    const now = this.renderStamp(q.list, q.stats, true);
    let open = now !== null;
    if (open && q.settings) open = this.entry(q.settings, false)?.value === '0';
    if (open && q.blocks) {
      const blocks = this.entry(q.blocks, false)?.value;
      open = blocks != null && blockSetHolds(blocks, q.viewerId) === 'no';
    }
    const page = open ? this.pages.get(q.page) : undefined;
    if (page && page.expiresAt > this.now() && page.stamp === now) return { kind: 'hit', body: page.body };
    return { kind: 'miss', epoch: String(this.epoch), stamp: now };
  }

  async fillRenderedPage(f: RenderedPageFill): Promise<boolean> {
    if (f.epoch !== String(this.epoch) || this.renderStamp(f.list, f.stats, false) !== f.stamp) return false;
    this.pages.set(f.page, { body: f.body, stamp: f.stamp, expiresAt: this.now() + f.ttlMs });
    this.bound();
    return true;
  }

  /** `<list version>:<stats version>`, null while a write is announced on either (or, unless `create`, one has no version). */
  private renderStamp(list: string, stats: string, create: boolean): string | null {
    const parts: string[] = [];
    for (const key of [list, stats]) {
      const e = this.entry(key, create);
      if (!e || e.pending > 0) return null;
      parts.push(e.version);
    }
    return parts.join(':');
  }

  async beginWrite(keys: string[]): Promise<WriteTicket> {
    for (const key of keys) {
      const e = this.entry(key, true)!;
      e.pending++;
      e.version = this.tick();
      e.expiresAt = Math.max(e.expiresAt, this.now() + PENDING_TTL_MS);
    }
    return { epoch: String(this.epoch), keys };
  }

  async finishWrite(ticket: WriteTicket, ops: CacheOp[]): Promise<void> {
    const counted = ticket.epoch === String(this.epoch);
    for (const op of ops) {
      // In place only while our own announcement stands (it may have been evicted).
      let kind = counted && (this.entry(op.key, false)?.pending ?? 0) >= 1 ? op.op : 'drop';
      if ((op.op === 'zadd' || op.op === 'zrem') && kind !== 'drop' && this.entry(op.guard, false)?.pending !== 1) kind = 'drop';
      if (kind === 'drop') {
        this.dropOne(op.key);
      } else if (op.op === 'stats') {
        const e = this.entry(op.key, false);
        if (!e || e.value === null) continue;
        const [f, g, p] = e.value.split(':').map(Number) as [number, number, number];
        if (op.dropIfPending && p !== 0) this.dropOne(op.key);
        else e.value = `${f + op.delta[0]}:${g + op.delta[1]}:${p + op.delta[2]}`;
      } else if (op.op === 'zadd') {
        const list = this.list(op.key);
        if (!list || list.members.includes(op.member)) continue;
        const complete = list.members[0] === END_MEMBER;
        if (!complete && list.members.length > 0 && op.member < list.members[0]!) continue;
        list.members.splice(lowerBound(list.members, op.member), 0, op.member);
        const real = list.members.length - (complete ? 1 : 0);
        if (real > this.listWindow) {
          if (complete) list.members.shift();
          list.members.splice(0, list.members.length - this.listWindow);
        }
      } else if (op.op === 'zrem') {
        const list = this.list(op.key);
        if (!list) continue;
        const suffix = `:${op.userId.padStart(20, '0')}`;
        list.members = list.members.filter((m) => !m.endsWith(suffix));
        // Removals erode a window (see the Redis script): below half its size it is dropped.
        if (list.members.length === 0) this.lists.delete(op.key);
        else if (list.members[0] !== END_MEMBER && list.members.length < this.listWindow / 2) this.dropOne(op.key);
      }
    }
    for (const key of ticket.keys) {
      const e = this.entry(key, true)!;
      if (counted) e.pending = Math.max(0, e.pending - 1);
      e.version = this.tick();
    }
  }

  async drop(keys: string[]): Promise<void> {
    for (const key of keys) this.dropOne(key);
  }

  async invalidateAll(): Promise<void> {
    // Versions come from one clock that never goes back, so forgetting them cannot revive a ticket.
    this.epoch += 1;
    this.lists.clear();
    this.entries.clear();
    this.pages.clear();
  }

  private dropOne(key: string): void {
    this.lists.delete(key);
    const e = this.entry(key, true)!;
    e.value = null;
    e.version = this.tick();
    e.expiresAt = Math.max(this.now() + (e.pending > 0 ? PENDING_TTL_MS : 0), Math.min(e.expiresAt, this.now() + PLACEHOLDER_TTL_MS));
  }

  private tick(): string {
    this.clock += 1;
    return String(this.clock);
  }

  private entry(key: string, create: boolean): Entry | undefined {
    let e = this.entries.get(key);
    if (e && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      e = undefined;
    }
    if (!e && create) {
      e = { version: this.tick(), pending: 0, value: null, expiresAt: this.now() + PLACEHOLDER_TTL_MS };
      this.entries.set(key, e);
      this.bound();
    }
    return e;
  }

  private list(key: string): List | undefined {
    const l = this.lists.get(key);
    if (l && l.expiresAt <= this.now()) {
      this.lists.delete(key);
      return undefined;
    }
    return l;
  }

  private bound(): void {
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const map of [this.entries, this.lists, this.pages] as Map<string, unknown>[]) {
      while (map.size > this.maxEntries) map.delete(map.keys().next().value as string);
    }
  }
}

/** First index whose member is >= `member` (ascending array). */
function lowerBound(members: string[], member: string): number {
  let lo = 0;
  let hi = members.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (members[mid]! < member) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
