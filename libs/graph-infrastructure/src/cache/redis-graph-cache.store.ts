import { Redis } from 'ioredis';
import { CircuitBreaker } from './circuit-breaker';
import {
  CacheOp,
  CacheUnavailableError,
  EntriesRead,
  EntryFill,
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
import {
  BEGIN_WRITE,
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

type Script = (...args: (string | number)[]) => Promise<unknown>;

export interface RedisCacheStoreOptions {
  listWindow: number;
  /** Consecutive failed calls that open the breaker. */
  failureThreshold: number;
  /** How long Redis is left alone after the breaker opens. */
  openMs: number;
  /** Told when the breaker opens or closes and when the epoch moves (metrics, logs). */
  onBreaker?: (open: boolean) => void;
  onEpochBump?: (epoch: string) => void;
  onError?: (operation: string, error: Error) => void;
}

/**
 * The cache store on Redis, through the process's one ioredis client (shared with the rate
 * limiter; no offline queue, commands bounded by REDIS_COMMAND_TIMEOUT_MS).
 *
 * Outages: failures open a circuit breaker, and while it is open every call throws
 * CacheUnavailableError at once (the decorators then use Postgres). A failure on the write path,
 * or a dropped connection, opens it at once, since an invalidation may have been lost. The breaker
 * closes only through a probe that increments `graph:epoch`: every key carries the epoch, so
 * nothing written before the outage (nor anything it failed to invalidate) is ever read again.
 */
export class RedisGraphCacheStore extends GraphCacheStore {
  private readonly breaker: CircuitBreaker;
  private readonly scripts: Record<
    'readEntries' | 'fillEntries' | 'readList' | 'readListPage' | 'fillList' | 'readRenderedPage' | 'fillRenderedPage' | 'beginWrite' | 'finishWrite' | 'dropEntries',
    Script
  >;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisCacheStoreOptions,
  ) {
    super();
    this.breaker = new CircuitBreaker({ failureThreshold: options.failureThreshold, openMs: options.openMs }, (open) =>
      options.onBreaker?.(open),
    );
    const define = (name: string, lua: string): Script => {
      redis.defineCommand(`graphCache_${name}`, { numberOfKeys: 0, lua });
      const command = (redis as unknown as Record<string, Script>)[`graphCache_${name}`]!;
      return command.bind(redis);
    };
    this.scripts = {
      readEntries: define('readEntries', READ_ENTRIES),
      fillEntries: define('fillEntries', FILL_ENTRIES),
      readList: define('readList', READ_LIST),
      readListPage: define('readListPage', READ_LIST_PAGE),
      fillList: define('fillList', FILL_LIST),
      readRenderedPage: define('readRenderedPage', READ_RENDERED_PAGE),
      fillRenderedPage: define('fillRenderedPage', FILL_RENDERED_PAGE),
      beginWrite: define('beginWrite', BEGIN_WRITE),
      finishWrite: define('finishWrite', FINISH_WRITE),
      dropEntries: define('dropEntries', DROP_ENTRIES),
    };
    // A connection that drops may have lost in-flight invalidations: reopen only through an epoch bump.
    redis.on('close', () => this.breaker.trip());
    if (redis.status !== 'ready') this.breaker.trip();
  }

  available(): boolean {
    return this.breaker.isClosed;
  }

  async readEntries(keys: string[]): Promise<EntriesRead> {
    const reply = (await this.call('readEntries', false, () => this.scripts.readEntries(PLACEHOLDER_TTL_MS, ...keys))) as string[];
    const entries = keys.map((_, i) => ({ value: reply[1 + 2 * i] || null, ticket: reply[2 + 2 * i] || null }));
    return { epoch: reply[0]!, entries };
  }

  async fillEntries(epoch: string, fills: EntryFill[]): Promise<void> {
    if (fills.length === 0) return;
    const args = fills.flatMap((f) => [f.key, f.ticket, f.value, Math.round(f.ttlMs)]);
    await this.call('fillEntries', false, () => this.scripts.fillEntries(epoch, ...args));
  }

  async readList(key: string, after: string | null, count: number): Promise<ListRead> {
    const reply = (await this.call('readList', false, () => this.scripts.readList(PLACEHOLDER_TTL_MS, key, after ?? '', count))) as string[];
    if (reply[1] === 'hit') return { kind: 'hit', epoch: reply[0]!, members: reply.slice(2) };
    return { kind: 'miss', epoch: reply[0]!, ticket: reply[2] || null };
  }

  async readListPage(q: ListPageQuery): Promise<ListPageEntries> {
    const reply = (await this.call('readListPage', false, () =>
      this.scripts.readListPage(PLACEHOLDER_TTL_MS, q.list, q.stats, q.settings ?? '', q.blocks ?? '', q.viewerId, q.after ?? '', q.count),
    )) as string[];
    const entry = (i: number) => ({ value: reply[i] || null, ticket: reply[i + 1] || null });
    return {
      epoch: reply[0]!,
      settings: entry(1),
      blocks: { blocked: (reply[3] || null) as ListPageEntries['blocks']['blocked'], ticket: reply[4] || null },
      stats: entry(5),
      list: reply[7] === 'hit' ? { kind: 'hit', members: reply.slice(9) } : { kind: 'miss', ticket: reply[8] || null },
    };
  }

  async fillList(epoch: string, key: string, ticket: string, members: string[], complete: boolean, ttlMs: number): Promise<void> {
    await this.call('fillList', false, () => this.scripts.fillList(epoch, key, ticket, Math.round(ttlMs), complete ? '1' : '0', ...members));
  }

  async readRenderedPage(q: RenderedPageQuery): Promise<RenderedPageRead> {
    const reply = (await this.call('readRenderedPage', false, () =>
      this.scripts.readRenderedPage(PLACEHOLDER_TTL_MS, q.page, q.list, q.stats, q.settings ?? '', q.blocks ?? '', q.viewerId),
    )) as string[];
    return reply[0] === 'hit' ? { kind: 'hit', body: reply[1]! } : { kind: 'miss', epoch: reply[1]!, stamp: reply[2] || null };
  }

  async fillRenderedPage(f: RenderedPageFill): Promise<boolean> {
    const stored = await this.call('fillRenderedPage', false, () =>
      this.scripts.fillRenderedPage(f.epoch, f.page, f.list, f.stats, f.stamp, f.body, Math.round(f.ttlMs)),
    );
    return stored === 1;
  }

  async beginWrite(keys: string[]): Promise<WriteTicket> {
    if (keys.length === 0) return { epoch: null, keys: [] };
    if (!this.breaker.isClosed) {
      this.probe();
      return { epoch: null, keys: [] };
    }
    try {
      const epoch = (await this.call('beginWrite', true, () => this.scripts.beginWrite(PENDING_TTL_MS, ...keys))) as string;
      return { epoch, keys };
    } catch {
      return { epoch: null, keys: [] };
    }
  }

  async finishWrite(ticket: WriteTicket, ops: CacheOp[]): Promise<void> {
    if (ops.length === 0 && ticket.keys.length === 0) return;
    const encoded = ops.map((op) => {
      switch (op.op) {
        case 'drop':
          return { k: op.key, o: 'drop' };
        case 'stats':
          return { k: op.key, o: 'stats', d: op.delta, x: op.dropIfPending === true };
        case 'zadd':
          return { k: op.key, o: 'zadd', m: op.member, g: op.guard };
        case 'zrem':
          return { k: op.key, o: 'zrem', u: op.userId.padStart(20, '0'), g: op.guard };
      }
    });
    await this.call('finishWrite', true, () =>
      this.scripts.finishWrite(ticket.epoch ?? '', PLACEHOLDER_TTL_MS, this.options.listWindow, JSON.stringify(encoded), JSON.stringify(ticket.keys)),
    );
  }

  async drop(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.call('drop', true, () => this.scripts.dropEntries(PLACEHOLDER_TTL_MS, ...keys));
  }

  /** Moves every reader and writer to a fresh namespace (nothing cached before is read again). */
  async invalidateAll(): Promise<void> {
    const epoch = await this.call('invalidateAll', true, () => this.redis.incr('graph:epoch'));
    this.options.onEpochBump?.(String(epoch));
  }

  /**
   * Runs one Redis call behind the breaker. `critical` calls (the write path) open the breaker on
   * the first failure: a lost invalidation must be answered by an epoch bump before the next read.
   */
  private async call<T>(operation: string, critical: boolean, run: () => Promise<T>): Promise<T> {
    if (!this.breaker.isClosed) {
      this.probe();
      throw new CacheUnavailableError('circuit open');
    }
    try {
      const result = await run();
      this.breaker.success();
      return result;
    } catch (error) {
      if (critical) this.breaker.trip();
      else this.breaker.failure();
      this.options.onError?.(operation, error as Error);
      throw new CacheUnavailableError((error as Error).message);
    }
  }

  /** Once the open period is over: bump the epoch; success closes the breaker. Runs in the background. */
  private probe(): void {
    if (!this.breaker.shouldProbe()) return;
    this.redis.incr('graph:epoch').then(
      (epoch) => {
        this.options.onEpochBump?.(String(epoch));
        this.breaker.probeSucceeded();
      },
      () => this.breaker.probeFailed(),
    );
  }
}
