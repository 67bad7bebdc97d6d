import { FirstPageCache, FirstPageList, FirstPageLookup, FirstPageTicket, UserId } from '@graph/domain';
import { CacheOptions } from '../infrastructure.options';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { GraphCacheStore, RenderedPageQuery, cacheKey, jitteredTtlMs } from './graph-cache.store';

/**
 * FirstPageCache on the graph cache store: a body is kept under `graph:page:<family>:<owner>:<limit>`
 * with the versions of the list and counter entries it was rendered from (see
 * GraphCacheStore.readRenderedPage), which every write announces itself on. A hit counts as a hit of
 * the list's family; a miss is counted by the read that follows it.
 */
export class RenderedFirstPageCache extends FirstPageCache {
  constructor(
    private readonly store: GraphCacheStore,
    private readonly metrics: GraphCacheMetrics,
    private readonly settings: Pick<CacheOptions, 'ttlSeconds' | 'jitter'>,
  ) {
    super();
  }

  available(): boolean {
    return this.store.available();
  }

  async lookup(viewerId: UserId, list: FirstPageList, limit: number): Promise<FirstPageLookup> {
    const read = await this.store.readRenderedPage(this.query(list, limit, viewerId));
    if (read.kind === 'hit') {
      this.metrics.hit(list.kind);
      return read;
    }
    return { kind: 'miss', ticket: read.stamp === null ? null : { list, limit, stamp: `${read.epoch}/${read.stamp}` } };
  }

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
