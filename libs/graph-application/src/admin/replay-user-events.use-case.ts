import { Injectable } from '@nestjs/common';
import { EventOutbox, UserId } from '@graph/domain';

export interface ReplayUserEventsInput {
  userId: UserId;
  since: Date;
}

/** Restates a user's current edges made since a time as fresh graph.follow events (see EventOutbox.replayUserEvents). */
@Injectable()
export class ReplayUserEventsUseCase {
  constructor(private readonly outbox: EventOutbox) {}

  async execute(input: ReplayUserEventsInput): Promise<{ events: number }> {
    return { events: await this.outbox.replayUserEvents(input.userId, input.since) };
  }
}
