import { Injectable } from '@nestjs/common';
import { EraseOutcome, GraphWriteRepository, MuteRepository, UserId } from '@graph/domain';

export interface EraseUserInput {
  userId: UserId;
}

/**
 * Erases a user from the graph (every edge, request and block both ways, settings, counters), with
 * an unfollow event (reason erased) per visible edge, and the mutes made by or of the user (graph.mute,
 * reason erased). For the admin API and user.deleted events. Two transactions, each idempotent: a
 * redelivered event after a crash between them finishes the job.
 */
@Injectable()
export class EraseUserUseCase {
  constructor(
    private readonly graph: GraphWriteRepository,
    private readonly mutes: MuteRepository,
  ) {}

  async execute(input: EraseUserInput): Promise<EraseOutcome> {
    const outcome = await this.graph.eraseUser(input.userId);
    await this.mutes.eraseUser(input.userId);
    return outcome;
  }
}
