import { Injectable } from '@nestjs/common';
import { GraphConsistency, UserId } from '@graph/domain';
import { DRIFT_BATCH } from './report-counter-drift.use-case';

/** How many users were checked and how many of them had drifted counters. */
export interface DriftCheckOutcome {
  checked: number;
  drifted: number;
}

/** The whole consistency check, counting only (the scheduled check behind graph_stats_drift_users). */
@Injectable()
export class CheckCounterDriftUseCase {
  constructor(private readonly consistency: GraphConsistency) {}

  async execute(): Promise<DriftCheckOutcome> {
    const outcome: DriftCheckOutcome = { checked: 0, drifted: 0 };
    let after: UserId | null = null;
    do {
      const batch = await this.consistency.checkBatch(after, DRIFT_BATCH);
      outcome.checked += batch.checked;
      outcome.drifted += batch.drifted.length;
      after = batch.lastUserId;
    } while (after !== null);
    return outcome;
  }
}
