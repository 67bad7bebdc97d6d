import { Injectable } from '@nestjs/common';
import { EventOutbox, NotFoundError } from '@graph/domain';

export interface RetryFailedEventsInput {
  /** One event (by its event_id); absent: every failing event. */
  eventId?: string;
}

/** Sends failing events again now instead of after their backoff. */
@Injectable()
export class RetryFailedEventsUseCase {
  constructor(private readonly outbox: EventOutbox) {}

  async execute(input: RetryFailedEventsInput): Promise<{ retried: number }> {
    const retried = await this.outbox.retryFailed(input.eventId);
    if (input.eventId !== undefined && retried === 0) throw new NotFoundError(`no failing event ${input.eventId} in the outbox`);
    return { retried };
  }
}
