import { Injectable } from '@nestjs/common';
import { MuteRepository } from '@graph/domain';

/** Rows per sweep transaction: short transactions, each with its batch of `expired` events. */
const BATCH = 500;

/**
 * Deletes expired mutes (they already read as unmuted) with their `expired` events, in batches
 * until none is left. Run periodically; several instances may run it at once.
 */
@Injectable()
export class SweepExpiredMutesUseCase {
  constructor(private readonly mutes: MuteRepository) {}

  async execute(): Promise<{ swept: number }> {
    let swept = 0;
    for (;;) {
      const n = (await this.mutes.sweepExpired(BATCH)).count;
      swept += n;
      if (n < BATCH) return { swept };
    }
  }
}
