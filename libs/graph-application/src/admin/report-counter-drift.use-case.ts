import { Injectable } from '@nestjs/common';
import { CounterDrift, GraphConsistency, UserId } from '@graph/domain';

export interface ReportCounterDriftInput {
  /** Continue after this user id (the previous page's `nextAfter`); absent: from the first user. */
  afterUserId?: UserId | null;
  /** At most this many drifted users in the page. */
  limit: number;
}

export interface CounterDriftPage {
  drifted: CounterDrift[];
  /** Users checked for this page. */
  checked: number;
  /** Pass back as `afterUserId` for the next page; null when every user has been checked. */
  nextAfter: UserId | null;
}

/** Users checked per statement: a short statement, no long lock or transaction. */
export const DRIFT_BATCH = 1000;
/** Users checked per page at most, so a page of a mostly exact graph answers in bounded time. */
export const DRIFT_PAGE_SCAN = 50 * DRIFT_BATCH;

/**
 * A page of counter drift: users whose stored counters differ from a recount, with both figures,
 * found by walking the users in id order in keyset batches.
 */
@Injectable()
export class ReportCounterDriftUseCase {
  constructor(private readonly consistency: GraphConsistency) {}

  async execute(input: ReportCounterDriftInput): Promise<CounterDriftPage> {
    let after = input.afterUserId ?? null;
    let checked = 0;
    const drifted: CounterDrift[] = [];
    while (checked < DRIFT_PAGE_SCAN) {
      const batch = await this.consistency.checkBatch(after, DRIFT_BATCH);
      checked += batch.checked;
      for (const d of batch.drifted) {
        drifted.push(d);
        // A full page: continue after its last user (the rest of this batch is checked again next time).
        if (drifted.length === input.limit) return { drifted, checked, nextAfter: d.userId };
      }
      if (batch.lastUserId === null) return { drifted, checked, nextAfter: null };
      after = batch.lastUserId;
    }
    return { drifted, checked, nextAfter: after };
  }
}
