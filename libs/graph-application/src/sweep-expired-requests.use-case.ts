import { Injectable } from '@nestjs/common';
import { GraphWriteRepository } from '@graph/domain';

/** Requests per expiry transaction: short transactions, each with its batch of `expired` events. */
const BATCH = 500;

/**
 * Deletes the pending requests older than their target's request_ttl_days (docs/api.md "Account
 * policies"), each with its unfollow event (reason `expired`), in batches until none is left. Run
 * periodically; several instances may run it at once.
 */
@Injectable()
export class SweepExpiredRequestsUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(): Promise<{ swept: number }> {
    let swept = 0;
    for (;;) {
      const n = (await this.graph.expireRequests(BATCH)).expired.length;
      swept += n;
      if (n < BATCH) return { swept };
    }
  }
}
