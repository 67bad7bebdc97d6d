import { Injectable } from '@nestjs/common';
import { ListEdgesUseCase } from '@graph/application';
import { GRAPH_LIMITS, GraphError, UserId } from '@graph/domain';
import { pageBody } from '../graph/graph-query.dto';
import { FirstPageCache } from './first-page.cache';
import { FirstPageList } from './first-page.ticket';

/**
 * Stores the rendered first followers page (default limit) of the given users, as GET
 * /followers/{id} would have after a miss: same lookup ticket, same body bytes. A page already
 * stored, a private owner or a failing cache is skipped.
 */
@Injectable()
export class FirstPageWarmer {
  constructor(
    private readonly cache: FirstPageCache,
    private readonly lists: ListEdgesUseCase,
  ) {}

  /** Returns how many bodies were stored. */
  async warm(userIds: UserId[]): Promise<number> {
    let stored = 0;
    for (const userId of userIds) {
      if (!this.cache.available()) break;
      const list: FirstPageList = { kind: 'followers', userId };
      // The owner as viewer: the body is the same for every viewer the lookup lets through.
      const found = await this.cache.lookup(userId, list, GRAPH_LIMITS.pageDefault).catch(() => null);
      if (found?.kind !== 'miss' || !found.ticket) continue;
      try {
        const page = await this.lists.execute({ viewerId: userId, list, limit: GRAPH_LIMITS.pageDefault });
        if (await this.cache.remember(found.ticket, JSON.stringify(pageBody('followers', page)))) stored++;
      } catch (error) {
        if (!(error instanceof GraphError)) throw error;
      }
    }
    return stored;
  }
}
