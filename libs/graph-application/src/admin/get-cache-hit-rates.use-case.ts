import { Injectable } from '@nestjs/common';
import { CacheFamilyHitRate, GraphCacheAdmin } from '@graph/domain';

/** Hits, misses and bypasses per key family since this instance started. */
@Injectable()
export class GetCacheHitRatesUseCase {
  constructor(private readonly cache: GraphCacheAdmin) {}

  async execute(): Promise<CacheFamilyHitRate[]> {
    return this.cache.hitRates();
  }
}
