import { Injectable } from '@nestjs/common';
import { GraphWriteRepository, UserId } from '@graph/domain';

export interface UnblockUserInput {
  blockerId: UserId;
  blockedId: UserId;
}

/** Lifts the caller's block; restores no follow. Nothing to lift is not an error. */
@Injectable()
export class UnblockUserUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: UnblockUserInput): Promise<{ changed: boolean }> {
    return this.graph.unblock(input.blockerId, input.blockedId);
  }
}
