import { Injectable } from '@nestjs/common';
import { GraphCacheAdmin } from '@graph/domain';

/** Drops every cache entry at once (an epoch bump: old entries are never read again and expire). */
@Injectable()
export class InvalidateCacheUseCase {
  constructor(private readonly cache: GraphCacheAdmin) {}

  async execute(): Promise<void> {
    await this.cache.invalidateAll();
  }
}
