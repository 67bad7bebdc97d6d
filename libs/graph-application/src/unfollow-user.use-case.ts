import { Injectable } from '@nestjs/common';
import { FollowStatus, GraphWriteRepository, UserId } from '@graph/domain';

export interface UnfollowUserInput {
  followerId: UserId;
  followingId: UserId;
}

/** Unfollows, or cancels the caller's pending request; nothing to remove is not an error. */
@Injectable()
export class UnfollowUserUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: UnfollowUserInput): Promise<{ removed: FollowStatus | null }> {
    return this.graph.unfollow(input.followerId, input.followingId);
  }
}
