import { Injectable } from '@nestjs/common';
import { EraseOutcome, GraphWriteRepository, UserId } from '@graph/domain';

export interface EraseUserInput {
  userId: UserId;
}

/**
 * Erases a user from the graph (every edge, request and block both ways, settings, counters), with
 * an unfollow event (reason erased) per visible edge. For the admin API and user.deleted events.
 */
@Injectable()
export class EraseUserUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: EraseUserInput): Promise<EraseOutcome> {
    return this.graph.eraseUser(input.userId);
  }
}
