import { Cluster, Redis } from 'ioredis';
import { LuaScript } from '../redis/lua-script';
import { CircuitBreaker } from './circuit-breaker';
import {
  CacheOp,
  CacheUnavailableError,
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
  WriteTicket,
} from './graph-cache.store';
import { PENDING_TTL_MS, PLACEHOLDER_TTL_MS } from './memory-graph-cache.store';
import { ALL_SLOTS, CacheSlots, cacheSlotsOf } from './redis-cache-slots';
import {
  BEGIN_WRITE,
  BUMP_EPOCH,
  DROP_ENTRIES,
  FILL_ENTRIES,
  FILL_LIST,
  FILL_RENDERED_PAGE,
  FINISH_WRITE,
  READ_ENTRIES,
  READ_LIST,
  READ_LIST_PAGE,
  READ_RENDERED_PAGE,
} from './redis-graph-cache.scripts';

type Script = (...keysThenArgs: (string | number)[]) => Promise<unknown>;
type ScriptName =
  | 'readEntries'
  | 'fillEntries'
  | 'readList'
  | 'readListPage'
  | 'fillList'
  | 'readRenderedPage'
  | 'fillRenderedPage'
  | 'beginWrite'
  | 'finishWrite'
  | 'dropEntries'
  | 'bumpEpoch';

const SOURCES: Record<ScriptName, string> = {
  readEntries: READ_ENTRIES,
  fillEntries: FILL_ENTRIES,
  readList: READ_LIST,
  readListPage: READ_LIST_PAGE,
  fillList: FILL_LIST,
  readRenderedPage: READ_RENDERED_PAGE,
  fillRenderedPage: FILL_RENDERED_PAGE,
  beginWrite: BEGIN_WRITE,
  finishWrite: FINISH_WRITE,
  dropEntries: DROP_ENTRIES,
  bumpEpoch: BUMP_EPOCH,
};

const SCRIPTS = Object.fromEntries(Object.entries(SOURCES).map(([name, lua]) => [name, new LuaScript(lua)])) as Record<ScriptName, LuaScript>;

/** readEntries calls of one slot group waiting to go out together: their keys in order, and where each call's start. */
interface PendingRead {
  keys: string[];
  waiters: Array<{ from: number; count: number; resolve: (read: { epoch: string; values: string[] }) => void; reject: (error: unknown) => void }>;
}

/** Epoch bumps sent at once when a breaker closes over a whole master's slots. */
const BUMP_BATCH = 256;

export interface RedisCacheStoreOptions {
  listWindow: number;
  /** Consecutive failed calls that open a node's breaker. */
  failureThreshold: number;
  /** How long a node is left alone after its breaker opens. */
  openMs: number;
  /** Told when the first breaker opens and the last one closes, and when epochs move (metrics, logs). */
  onBreaker?: (open: boolean) => void;
  onEpochBump?: (epoch: string) => void;
  onError?: (operation: string, error: Error) => void;
}

/** A script refused to run in an epoch other than the slot's (redis-graph-cache.scripts.ts). */
function movedEpoch(error: unknown): string | null {
  const m = /^EPOCH (\S+)/.exec((error as Error)?.message ?? '');
  return m ? m[1]! : null;
}

/**
 * The epochs a read saw, one per slot group, as one opaque string (`<group>=<epoch>,…`): what the
 * port calls the read's epoch, given back with its fills.
 */
function encodeEpochs(epochs: Map<number, string>): string {
  return [...epochs].map(([group, epoch]) => `${group}=${epoch}`).join(',');
}

function decodeEpochs(token: string | null): Map<number, string> {
  const out = new Map<number, string>();
  for (const part of token ? token.split(',') : []) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(Number(part.slice(0, eq)), part.slice(eq + 1));
  }
  return out;
}

/** Indexes of `items` by group, in order. */
function byGroup<T>(items: T[], groupOf: (item: T) => number): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  items.forEach((item, i) => {
    const g = groupOf(item);
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  });
  return groups;
}

/**
 * The cache store on Redis, a single node or a Redis Cluster, through the process's one ioredis
 * client (shared with the rate limiter; no offline queue, commands bounded by
 * REDIS_COMMAND_TIMEOUT_MS).
 *
 * Slots: every key names its owner in a hash tag (`graph:{42}:followers`, cache-keys in
 * graph-cache.store.ts), each script touches the keys of one slot only, declared in KEYS, and the
 * epoch and version clock are kept per slot (redis-cache-slots.ts; one of each on a single node).
 * A call naming keys of several slots (two users' counters, a write on a pair) is split into one
 * script per slot, run in parallel: the stale-fill protocol is per key, so it holds slot by slot.
 *
 * Outages: a breaker per node (per master of a cluster). Failures open it, and while it is open
 * every call on its slots throws CacheUnavailableError at once (the decorators then use Postgres).
 * A failure on the write path, or a dropped connection, opens it at once, since an invalidation may
 * have been lost. It closes only through a probe that moves the epoch of every slot it served, so
 * nothing written there before the outage (nor anything it failed to invalidate, nor what a failover
 * lost) is ever read again; the other nodes' slots keep their entries.
 */
export class RedisGraphCacheStore extends GraphCacheStore {
  private readonly slots: CacheSlots;
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Groups whose breaker opened, by the shard that opened: they stay with it until their epochs move. */
  private readonly held = new Map<number, string>();
  /** The last epoch seen per group; a script told otherwise retries with the slot's own. */
  private readonly epochs = new Map<number, string>();
  private openBreakers = 0;
  /** readEntries calls of this turn not sent yet, by slot group (readInGroup). */
  private readonly pendingReads = new Map<number, PendingRead>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly options: RedisCacheStoreOptions,
  ) {
    super();
    this.slots = cacheSlotsOf(redis);
    // A connection that drops may have lost in-flight invalidations: reopen only through epoch bumps.
    this.slots.onNodeLost((shard) => this.trip(shard));
  }

  /** False only while every node's breaker is open (a call on an open node's slots still throws at once). */
  available(): boolean {
    return this.openBreakers === 0 || [...this.breakers.values()].some((b) => b.isClosed);
  }

  async readEntries(keys: string[]): Promise<EntriesRead> {
    const entries: EntryRead[] = keys.map(() => ({ value: null, ticket: null }));
    const seen = new Map<number, string>();
    const groups = byGroup(keys, (k) => this.slots.groupOf(k));
    const failures: Error[] = [];
    await Promise.all(
      [...groups].map(async ([group, indexes]) => {
        try {
          const { epoch, values } = await this.readInGroup(group, indexes.map((i) => keys[i]!));
          seen.set(group, epoch);
          indexes.forEach((index, j) => (entries[index] = { value: values[2 * j] || null, ticket: values[2 * j + 1] || null }));
        } catch (error) {
          failures.push(error as Error);
        }
      }),
    );
    // The slots that answered still serve: those that did not are misses without a ticket.
    if (failures.length > 0 && seen.size === 0) throw failures[0]!;
    return { epoch: encodeEpochs(seen), entries };
  }

  /**
   * Reads of one slot group asked in the same turn of the event loop (a relationship and the
   * viewer's mute set, a user's counters and settings) go out as one script call: their keys are
   * gathered until the pending callbacks and promise reactions of this turn have run
   * (process.nextTick), so the call leaves with ioredis's own pipeline flush, no later.
   */
  private readInGroup(group: number, keys: string[]): Promise<{ epoch: string; values: string[] }> {
    let batch = this.pendingReads.get(group);
    if (!batch) {
      const created: PendingRead = { keys: [], waiters: [] };
      this.pendingReads.set(group, (batch = created));
      process.nextTick(() => this.sendReads(group, created));
    }
    const from = batch.keys.length;
    batch.keys.push(...keys);
    return new Promise((resolve, reject) => batch.waiters.push({ from, count: keys.length, resolve, reject }));
  }

  private sendReads(group: number, batch: PendingRead): void {
    this.pendingReads.delete(group);
    this.run('readEntries', group, false, (e) => [batch.keys.map((k) => this.entry(k, e)), [PLACEHOLDER_TTL_MS]]).then(
      ({ epoch, reply }) => {
        const values = reply as string[];
        for (const w of batch.waiters) w.resolve({ epoch, values: values.slice(2 * w.from, 2 * (w.from + w.count)) });
      },
      (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
    );
  }

  async fillEntries(epoch: string, fills: EntryFill[]): Promise<void> {
    if (fills.length === 0) return;
    const epochs = decodeEpochs(epoch);
    const groups = byGroup(fills, (f) => this.slots.groupOf(f.key));
    const results = await Promise.allSettled(
      [...groups].map(([group, indexes]) => {
        const seen = epochs.get(group);
        if (seen === undefined) return Promise.resolve();
        const args = indexes.flatMap((i) => [fills[i]!.ticket, fills[i]!.value, Math.round(fills[i]!.ttlMs)]);
        return this.fill('fillEntries', group, seen, indexes.map((i) => this.entry(fills[i]!.key, seen)), args);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async readList(key: string, after: string | null, count: number): Promise<ListRead> {
    const group = this.slots.groupOf(key);
    const { epoch, reply } = await this.run('readList', group, false, (e) => [this.list(key, e), [PLACEHOLDER_TTL_MS, after ?? '', count]]);
    const r = reply as string[];
    const token = encodeEpochs(new Map([[group, epoch]]));
    if (r[0] === 'hit') return { kind: 'hit', epoch: token, members: r.slice(1) };
    return { kind: 'miss', epoch: token, ticket: r[1] || null };
  }

  async readListPage(q: ListPageQuery): Promise<ListPageEntries> {
    const group = this.groupOfAll([q.list, q.stats, q.settings, q.blocks]);
    const { epoch, reply } = await this.run(
      'readListPage',
      group,
      false,
      (e) => [
        [...this.list(q.list, e), this.entry(q.stats, e), ...this.optional(e, q.settings, q.blocks)],
        [PLACEHOLDER_TTL_MS, q.viewerId, q.after ?? '', q.count, q.settings ? '1' : '0', q.blocks ? '1' : '0'],
      ],
    );
    const r = reply as string[];
    const entry = (i: number) => ({ value: r[i] || null, ticket: r[i + 1] || null });
    return {
      epoch: encodeEpochs(new Map([[group, epoch]])),
      settings: entry(0),
      blocks: { blocked: (r[2] || null) as ListPageEntries['blocks']['blocked'], ticket: r[3] || null },
      stats: entry(4),
      list: r[6] === 'hit' ? { kind: 'hit', members: r.slice(8) } : { kind: 'miss', ticket: r[7] || null },
    };
  }

  async fillList(epoch: string, key: string, ticket: string, members: string[], complete: boolean, ttlMs: number): Promise<void> {
    const group = this.slots.groupOf(key);
    const seen = decodeEpochs(epoch).get(group);
    if (seen === undefined) return;
    await this.fill('fillList', group, seen, this.list(key, seen), [ticket, Math.round(ttlMs), complete ? '1' : '0', ...members]);
  }

  async readRenderedPage(q: RenderedPageQuery): Promise<RenderedPageRead> {
    const group = this.groupOfAll([q.page, q.list, q.stats, q.settings, q.blocks]);
    const { epoch, reply } = await this.run(
      'readRenderedPage',
      group,
      false,
      (e) => [
        [this.entry(q.page, e), this.entry(q.list, e), this.entry(q.stats, e), ...this.optional(e, q.settings, q.blocks)],
        [PLACEHOLDER_TTL_MS, q.viewerId, q.settings ? '1' : '0', q.blocks ? '1' : '0'],
      ],
    );
    const r = reply as string[];
    return r[0] === 'hit' ? { kind: 'hit', body: r[1]! } : { kind: 'miss', epoch: encodeEpochs(new Map([[group, epoch]])), stamp: r[1] || null };
  }

  async fillRenderedPage(f: RenderedPageFill): Promise<boolean> {
    const group = this.groupOfAll([f.page, f.list, f.stats]);
    const seen = decodeEpochs(f.epoch).get(group);
    if (seen === undefined) return false;
    const stored = await this.fill('fillRenderedPage', group, seen, [this.entry(f.page, seen), this.entry(f.list, seen), this.entry(f.stats, seen)], [
      f.stamp,
      f.body,
      Math.round(f.ttlMs),
    ]);
    return stored === 1;
  }

  async beginWrite(keys: string[]): Promise<WriteTicket> {
    if (keys.length === 0) return { epoch: null, keys: [] };
    const announced = new Map<number, string>();
    await Promise.all(
      [...byGroup(keys, (k) => this.slots.groupOf(k))].map(async ([group, indexes]) => {
        const shard = this.shardOf(group);
        if (!this.breaker(shard).isClosed) {
          this.probe(shard);
          return;
        }
        try {
          const { epoch } = await this.run('beginWrite', group, true, (e) => [indexes.map((i) => this.entry(keys[i]!, e)), [PENDING_TTL_MS]]);
          announced.set(group, epoch);
        } catch {
          // Not announced on this slot: finishWrite drops its entries instead of updating them.
        }
      }),
    );
    return announced.size === 0 ? { epoch: null, keys: [] } : { epoch: encodeEpochs(announced), keys };
  }

  async finishWrite(ticket: WriteTicket, ops: CacheOp[]): Promise<void> {
    if (ops.length === 0 && ticket.keys.length === 0) return;
    const announced = decodeEpochs(ticket.epoch);
    const groups = new Map<number, { ops: CacheOp[]; keys: string[] }>();
    const at = (group: number) => groups.get(group) ?? groups.set(group, { ops: [], keys: [] }).get(group)!;
    for (const op of ops) at(this.slots.groupOf(op.key)).ops.push(op);
    for (const key of ticket.keys) {
      const group = this.slots.groupOf(key);
      // Only where the announcement landed is there a pending count to take back.
      if (announced.has(group)) at(group).keys.push(key);
    }
    const results = await Promise.allSettled([...groups].map(([group, work]) => this.finishInGroup(group, announced.get(group) ?? '', work.ops, work.keys)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async drop(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const results = await Promise.allSettled(
      [...byGroup(keys, (k) => this.slots.groupOf(k))].map(([group, indexes]) =>
        this.run('dropEntries', group, true, (e) => [indexes.flatMap((i) => this.list(keys[i]!, e)), [PLACEHOLDER_TTL_MS]]),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Moves every reader and writer to a fresh namespace (nothing cached before is read again): every slot's epoch. */
  async invalidateAll(): Promise<void> {
    const groups = this.slots.allGroups();
    const { moved, last } = await this.bump(groups);
    if (moved.length > 0) this.options.onEpochBump?.(last);
    if (moved.length < groups.length) {
      // The slots not moved stay refused until a probe moves them.
      this.trip(ALL_SLOTS);
      const lost = this.lost.get(ALL_SLOTS)!;
      for (const group of moved) lost.delete(group);
      this.options.onError?.('invalidateAll', new Error(`${groups.length - moved.length} slot epochs not moved`));
      throw new CacheUnavailableError('some slot epochs could not be moved');
    }
  }

  private async finishInGroup(group: number, announcedEpoch: string, ops: CacheOp[], announcedKeys: string[]): Promise<unknown> {
    return this.run(
      'finishWrite',
      group,
      true,
      (epoch) => {
        const keys: string[] = [];
        // KEYS[1] and KEYS[2] are the slot's epoch and clock: data keys are numbered from 3.
        const add = (key: string): number => keys.push(key) + 2;
        const encoded = ops.map((op) => {
          const k = add(this.entry(op.key, epoch));
          const z = add(this.entry(op.key, epoch, ':z'));
          switch (op.op) {
            case 'drop':
              return { k, z, o: 'drop' };
            case 'stats':
              return { k, z, o: 'stats', d: op.delta, x: op.dropIfPending === true };
            case 'zadd':
            case 'zrem': {
              // The guard must be checked in the same script: one in another slot cannot be, so drop.
              if (this.slots.groupOf(op.guard) !== group) return { k, z, o: 'drop' };
              const g = add(this.entry(op.guard, epoch));
              return op.op === 'zadd' ? { k, z, o: 'zadd', m: op.member, g } : { k, z, o: 'zrem', u: op.userId.padStart(20, '0'), g };
            }
          }
        });
        const announced = announcedKeys.map((key) => add(this.entry(key, epoch)));
        return [keys, [announcedEpoch, PLACEHOLDER_TTL_MS, this.options.listWindow, JSON.stringify(encoded), JSON.stringify(announced)]];
      },
    );
  }

  /** The script by its SHA-1 (LuaScript: EVAL on a node that does not know it yet). */
  private script(name: ScriptName, numberOfKeys: number): Script {
    const script = SCRIPTS[name];
    return (...keysThenArgs) => script.run(this.redis, numberOfKeys, ...keysThenArgs);
  }

  /** `<base>:e<epoch>` (and its list at `:z`): where an entry lives in one epoch. */
  private entry(base: string, epoch: string, suffix = ''): string {
    return `${base}:e${epoch}${suffix}`;
  }

  private list(base: string, epoch: string): string[] {
    return [this.entry(base, epoch), this.entry(base, epoch, ':z')];
  }

  private optional(epoch: string, ...bases: (string | null)[]): string[] {
    return bases.flatMap((b) => (b ? [this.entry(b, epoch)] : []));
  }

  private groupOfAll(keys: (string | null)[]): number {
    const groups = new Set(keys.flatMap((k) => (k ? [this.slots.groupOf(k)] : [])));
    if (groups.size !== 1) throw new Error(`cache keys of one call must share a hash slot: ${keys.join(', ')}`);
    return [...groups][0]!;
  }

  /**
   * Runs a script on one group's slot behind its node's breaker, in the epoch last seen there; when
   * the slot has moved on, once more in its epoch. `critical` calls (the write path) open the
   * breaker on the first failure: a lost invalidation must be answered by an epoch bump before the
   * next read.
   */
  private async run(
    name: ScriptName,
    group: number,
    critical: boolean,
    compose: (epoch: string) => [keys: string[], args: (string | number)[]],
  ): Promise<{ epoch: string; reply: unknown }> {
    let epoch = this.epochs.get(group) ?? '0';
    for (let attempt = 0; ; attempt++) {
      try {
        const [keys, argv] = compose(epoch);
        const reply = await this.call(name, group, critical, () => this.script(name, 2 + keys.length)(this.slots.epochKey(group), this.slots.clockKey(group), ...keys, epoch, ...argv));
        return { epoch, reply };
      } catch (error) {
        const current = error instanceof EpochMoved ? error.epoch : null;
        if (current === null || attempt >= 2) throw error instanceof EpochMoved ? new CacheUnavailableError('epoch keeps moving') : error;
        epoch = current;
        this.epochs.set(group, current);
      }
    }
  }

  /** A fill in the epoch its read saw: refused (0) when the slot has moved on since. */
  private async fill(name: ScriptName, group: number, epoch: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await this.call(name, group, false, () => this.script(name, 2 + keys.length)(this.slots.epochKey(group), this.slots.clockKey(group), ...keys, epoch, ...args));
    } catch (error) {
      if (error instanceof EpochMoved) {
        this.epochs.set(group, error.epoch);
        return 0;
      }
      throw error;
    }
  }

  private async call<T>(operation: string, group: number, critical: boolean, send: () => Promise<T>): Promise<T> {
    // Not connected (yet): ioredis would refuse without sending anything, so nothing can be lost.
    if (this.redis.status !== 'ready') throw new CacheUnavailableError(`redis ${this.redis.status}`);
    const shard = this.shardOf(group);
    const breaker = this.breaker(shard);
    if (!breaker.isClosed) {
      this.probe(shard);
      throw new CacheUnavailableError('circuit open');
    }
    try {
      const result = await send();
      breaker.success();
      return result;
    } catch (error) {
      const moved = movedEpoch(error);
      if (moved !== null) {
        breaker.success();
        throw new EpochMoved(moved);
      }
      if (critical) this.trip(shard);
      else {
        breaker.failure();
        if (!breaker.isClosed) this.hold(shard);
      }
      this.options.onError?.(operation, error as Error);
      throw new CacheUnavailableError((error as Error).message);
    }
  }

  /** The breaker of the node serving a group: the one that opened on it, while it is held. */
  private shardOf(group: number): string {
    return this.held.get(group) ?? this.held.get(-1) ?? this.slots.shardOf(group);
  }

  private breaker(shard: string): CircuitBreaker {
    let breaker = this.breakers.get(shard);
    if (!breaker) {
      breaker = new CircuitBreaker({ failureThreshold: this.options.failureThreshold, openMs: this.options.openMs }, (open) => {
        const before = this.openBreakers;
        this.openBreakers += open ? 1 : -1;
        if (before === 0 && open) this.options.onBreaker?.(true);
        if (this.openBreakers === 0 && !open) this.options.onBreaker?.(false);
      });
      this.breakers.set(shard, breaker);
    }
    return breaker;
  }

  private trip(shard: string): void {
    this.breaker(shard).trip();
    this.hold(shard);
  }

  /**
   * Keeps the shard's groups with its open breaker, wherever the cluster moves them meanwhile (a
   * failover), and notes them as lost: each one's epoch must move before the breaker closes.
   */
  private hold(shard: string): void {
    const lost = this.lost.get(shard) ?? this.lost.set(shard, new Set()).get(shard)!;
    if (shard === ALL_SLOTS) this.held.set(-1, shard);
    for (const group of shard === ALL_SLOTS ? this.slots.allGroups() : this.slots.groupsOf(shard)) {
      if (shard !== ALL_SLOTS) this.held.set(group, shard);
      lost.add(group);
    }
  }

  /** Groups whose epoch has to move before their shard's breaker may close. */
  private readonly lost = new Map<string, Set<number>>();

  /**
   * Once the open period is over: moves the epochs of the shard's lost slots, in the background.
   * Each slot moved is done with (a master's 5,461 slots need not all answer in one probe); when
   * none is left the breaker closes. Until then every slot of the shard stays refused.
   */
  private probe(shard: string): void {
    const breaker = this.breaker(shard);
    if (!breaker.shouldProbe()) return;
    const lost = this.lost.get(shard) ?? new Set<number>();
    this.bump([...lost]).then(({ moved, last }) => {
      for (const group of moved) lost.delete(group);
      if (moved.length > 0) this.options.onEpochBump?.(last);
      if (lost.size > 0) return breaker.probeFailed();
      for (const [group, holder] of this.held) if (holder === shard) this.held.delete(group);
      this.lost.delete(shard);
      breaker.probeSucceeded();
    });
  }

  /** New epochs for `groups` (each in its own slot, sent in batches): the groups moved, and the last epoch (for the metrics). */
  private async bump(groups: number[]): Promise<{ moved: number[]; last: string }> {
    const moved: number[] = [];
    let last = '';
    for (let i = 0; i < groups.length; i += BUMP_BATCH) {
      const batch = groups.slice(i, i + BUMP_BATCH);
      const results = await Promise.allSettled(batch.map((g) => this.script('bumpEpoch', 1)(this.slots.epochKey(g))));
      results.forEach((r, j) => {
        if (r.status !== 'fulfilled') return;
        this.epochs.set(batch[j]!, String(r.value));
        moved.push(batch[j]!);
        last = String(r.value);
      });
    }
    return { moved, last };
  }
}

/** The slot's epoch is not the one a script was sent for (it carries the slot's). */
class EpochMoved extends Error {
  constructor(readonly epoch: string) {
    super(`epoch moved to ${epoch}`);
  }
}
