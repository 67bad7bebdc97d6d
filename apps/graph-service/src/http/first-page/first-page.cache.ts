import { Provider } from '@nestjs/common';
import { UserId } from '@graph/domain';
import { CacheOptions, GraphCacheMetrics, GraphCacheStore, RenderedPageQuery, cacheKey, jitteredTtlMs } from '@graph/infrastructure';
import { FirstPageList, FirstPageTicket } from './first-page.ticket';

export type FirstPageLookup = { kind: 'hit'; body: string } | { kind: 'miss'; ticket: FirstPageTicket | null };

/**
 * The rendering store: finished answers to the hottest read, the first page of a followers/following
 * list (a celebrity's followers, opened by every visitor of the profile), kept as the HTTP response
 * body itself so that a hit costs one cache call and no rendering. It stores HTTP bodies, so it
 * lives at the HTTP edge, on the graph cache store. A body is viewer-independent; the lookup also
 * checks that the viewer may see it (public owner, no block), and misses whenever it cannot tell.
 *
 * Never stale: a body is kept under `graph:page:<family>:<owner>:<limit>` with the versions of the
 * list and counter entries it was rendered from (GraphCacheStore.readRenderedPage), and stored only
 * with the ticket of a lookup made before the reads it was rendered from, while no write has
 * touched the list or the owner's counters since. A hit counts as a hit of the list's family; a miss
 * is counted by the read that follows it.
 */
export class FirstPageCache {
  constructor(
    private readonly store: GraphCacheStore,
    private readonly metrics: GraphCacheMetrics,
    private readonly settings: Pick<CacheOptions, 'ttlSeconds' | 'jitter'>,
  ) {}

  /** Whether the cache can be asked right now (false while it is failing: go straight to the use case). */
  available(): boolean {
    return this.store.available();
  }

  /** The stored body for this viewer, or a miss (with a ticket when a rendering may be stored). Throws when the cache fails. */
  async lookup(viewerId: UserId, list: FirstPageList, limit: number): Promise<FirstPageLookup> {
    const read = await this.store.readRenderedPage(this.query(list, limit, viewerId));
    if (read.kind === 'hit') {
      this.metrics.hit(list.kind);
      return read;
    }
    return { kind: 'miss', ticket: read.stamp === null ? null : { list, limit, stamp: `${read.epoch}/${read.stamp}` } };
  }

  /** Stores the body rendered after the lookup that gave `ticket`; false when it was refused (a write came first) or failed. */
  async remember(ticket: FirstPageTicket, body: string): Promise<boolean> {
    const slash = ticket.stamp.indexOf('/');
    const q = this.query(ticket.list, ticket.limit, ticket.list.userId);
    const ttlMs = jitteredTtlMs(this.settings.ttlSeconds[ticket.list.kind], this.settings.jitter);
    return this.store
      .fillRenderedPage({ epoch: ticket.stamp.slice(0, slash), stamp: ticket.stamp.slice(slash + 1), page: q.page, list: q.list, stats: q.stats, body, ttlMs })
      .catch(() => false);
  }

  private query(list: FirstPageList, limit: number, viewerId: string): RenderedPageQuery {
    const owner = list.userId;
    const self = viewerId === owner;
    return {
      page: cacheKey('page', list.kind, owner, String(limit)),
      list: cacheKey(list.kind, owner),
      stats: cacheKey('stats', owner),
      settings: self ? null : cacheKey('settings', owner),
      blocks: self ? null : cacheKey('blocks', owner),
      viewerId,
    };
  }
}

/** Binds FirstPageCache on the store the infrastructure module exports. */
export function firstPageCacheProvider(settings: Pick<CacheOptions, 'ttlSeconds' | 'jitter'>): Provider {
  return {
    provide: FirstPageCache,
    inject: [GraphCacheStore, GraphCacheMetrics],
    useFactory: (store: GraphCacheStore, metrics: GraphCacheMetrics) => new FirstPageCache(store, metrics, settings),
  };
}
