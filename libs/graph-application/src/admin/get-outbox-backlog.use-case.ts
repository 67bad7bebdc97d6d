import { Injectable } from '@nestjs/common';
import { EventOutbox, FailingEvent, OutboxBacklog } from '@graph/domain';

export interface GetOutboxBacklogInput {
  /** At most this many failing events listed. */
  failingLimit: number;
}

/** The outbox's backlog, with the failing events and their last errors. */
@Injectable()
export class GetOutboxBacklogUseCase {
  constructor(private readonly outbox: EventOutbox) {}

  async execute(input: GetOutboxBacklogInput): Promise<OutboxBacklog & { failingEvents: FailingEvent[] }> {
    const [backlog, failingEvents] = await Promise.all([this.outbox.backlog(), this.outbox.failingEvents(input.failingLimit)]);
    return { ...backlog, failingEvents };
  }
}
