import { Injectable } from '@nestjs/common';
import { GraphWriteRepository, RequestResponseOutcome, UserId } from '@graph/domain';

export interface RespondToFollowRequestInput {
  /** The requested account: only it can answer, so it is always the caller. */
  ownerId: UserId;
  followerId: UserId;
  action: 'accept' | 'reject';
}

/** Accepts or rejects a pending request; throws RequestNotFoundError when there is none. */
@Injectable()
export class RespondToFollowRequestUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: RespondToFollowRequestInput): Promise<RequestResponseOutcome> {
    return this.graph.respondToRequest(input.ownerId, input.followerId, input.action);
  }
}
