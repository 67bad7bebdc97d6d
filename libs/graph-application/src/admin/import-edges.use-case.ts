import { Injectable } from '@nestjs/common';
import { EdgeImporter, GraphCacheAdmin, ImportOptions, ImportOutcome, UserId } from '@graph/domain';

export interface ImportEdgesInput extends ImportOptions {
  source: AsyncIterable<Buffer>;
}

/** Evictions run this many at a time. */
const EVICT_CONCURRENCY = 32;

/**
 * Bulk-loads an edge list (see EdgeImporter), then drops the cache entries of the affected users:
 * one by one when they are few, all at once (epoch bump) when the importer says they are too many.
 */
@Injectable()
export class ImportEdgesUseCase {
  constructor(
    private readonly importer: EdgeImporter,
    private readonly cache: GraphCacheAdmin,
  ) {}

  async execute(input: ImportEdgesInput): Promise<ImportOutcome> {
    const { source, ...options } = input;
    const { affectedUserIds, ...outcome } = await this.importer.importEdges(source, options);
    if (affectedUserIds === null) await this.cache.invalidateAll();
    else await this.evict(affectedUserIds);
    return outcome;
  }

  private async evict(userIds: UserId[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += EVICT_CONCURRENCY) {
      await Promise.all(userIds.slice(i, i + EVICT_CONCURRENCY).map((userId) => this.cache.evictUser(userId)));
    }
  }
}
