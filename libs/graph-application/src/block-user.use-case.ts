import { Injectable } from '@nestjs/common';
import { GraphWriteRepository, SelfBlockError, UserId } from '@graph/domain';

export interface BlockUserInput {
  blockerId: UserId;
  blockedId: UserId;
}

/** Blocks: follows and requests both ways disappear and new ones are refused until unblocked. */
@Injectable()
export class BlockUserUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: BlockUserInput): Promise<{ changed: boolean; affectedUserIds: UserId[] }> {
    if (input.blockerId === input.blockedId) throw new SelfBlockError();
    return this.graph.block(input.blockerId, input.blockedId);
  }
}
