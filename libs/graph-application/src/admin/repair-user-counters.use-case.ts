import { Injectable } from '@nestjs/common';
import { CounterRepair, GraphCacheAdmin, GraphConsistency, UserId } from '@graph/domain';

export interface RepairUserCountersInput {
  userId: UserId;
}

/** Sets one user's counters to a recount of their edges and drops their cached entries when they changed. */
@Injectable()
export class RepairUserCountersUseCase {
  constructor(
    private readonly consistency: GraphConsistency,
    private readonly cache: GraphCacheAdmin,
  ) {}

  async execute(input: RepairUserCountersInput): Promise<CounterRepair> {
    const repair = await this.consistency.repairUser(input.userId);
    if (repair.changed) await this.cache.evictUser(input.userId);
    return repair;
  }
}
