import { Injectable } from '@nestjs/common';
import { GraphWriteRepository, UserId } from '@graph/domain';

export interface RemoveFollowerInput {
  ownerId: UserId;
  followerId: UserId;
}

/** Removes an accepted follower of the caller without blocking them. */
@Injectable()
export class RemoveFollowerUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: RemoveFollowerInput): Promise<{ removed: boolean }> {
    return this.graph.removeFollower(input.ownerId, input.followerId);
  }
}
