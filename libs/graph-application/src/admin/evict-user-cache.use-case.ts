import { Injectable } from '@nestjs/common';
import { GraphCacheAdmin, UserId } from '@graph/domain';

export interface EvictUserCacheInput {
  userId: UserId;
}

/** Drops one user's cached lists, stats, settings and suggestions. */
@Injectable()
export class EvictUserCacheUseCase {
  constructor(private readonly cache: GraphCacheAdmin) {}

  async execute(input: EvictUserCacheInput): Promise<void> {
    await this.cache.evictUser(input.userId);
  }
}
