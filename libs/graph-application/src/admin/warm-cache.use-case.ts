import { Injectable } from '@nestjs/common';
import { GraphCacheAdmin, UserId } from '@graph/domain';

export interface WarmCacheInput {
  /** How many of the most-followed users. */
  count: number;
}

/** Loads the first followers page, stats and settings of the N most-followed users into the cache. */
@Injectable()
export class WarmCacheUseCase {
  constructor(private readonly cache: GraphCacheAdmin) {}

  async execute(input: WarmCacheInput): Promise<{ warmedUserIds: UserId[] }> {
    return this.cache.warmMostFollowed(input.count);
  }
}
