import { Injectable } from '@nestjs/common';
import { GraphConsistency, UserId } from '@graph/domain';
import { BackgroundJobs, JobView } from './background-jobs';
import { DRIFT_BATCH } from './report-counter-drift.use-case';
import { RepairUserCountersUseCase } from './repair-user-counters.use-case';

export const COUNTER_REPAIR_JOB = 'counter-repair';

export interface CounterRepairProgress extends Record<string, unknown> {
  checked: number;
  drifted: number;
  repaired: number;
  /** The last user id checked (the walk goes in id order). */
  lastUserId: UserId | null;
}

/**
 * Repairs every user's counters as a background job: a keyset walk over all users in batches, each
 * drifted user repaired on its own (one short lock of its counter rows), so follows go on meanwhile.
 * One repair at a time: starting while one runs returns the running one.
 */
@Injectable()
export class StartCounterRepairUseCase {
  constructor(
    private readonly consistency: GraphConsistency,
    private readonly repairUser: RepairUserCountersUseCase,
    private readonly jobs: BackgroundJobs,
  ) {}

  execute(): JobView {
    const running = this.jobs.running(COUNTER_REPAIR_JOB);
    if (running) return running;
    const initial: CounterRepairProgress = { checked: 0, drifted: 0, repaired: 0, lastUserId: null };
    return this.jobs.start(COUNTER_REPAIR_JOB, initial, async (report) => {
      const progress = { ...initial };
      let after: UserId | null = null;
      do {
        const batch = await this.consistency.checkBatch(after, DRIFT_BATCH);
        progress.checked += batch.checked;
        progress.drifted += batch.drifted.length;
        for (const d of batch.drifted) {
          if ((await this.repairUser.execute({ userId: d.userId })).changed) progress.repaired++;
        }
        after = batch.lastUserId;
        progress.lastUserId = after ?? progress.lastUserId;
        report({ ...progress });
      } while (after !== null);
      return { ...progress };
    });
  }
}
