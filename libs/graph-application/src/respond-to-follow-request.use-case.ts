import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphError, GraphWriteRepository, RequestResponseOutcome, UserId, ValidationError } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface RespondToFollowRequestInput {
  /** The requested account: only it can answer, so it is always the caller. */
  ownerId: UserId;
  followerId: UserId;
  action: 'accept' | 'reject';
}

export interface RespondToFollowRequestsInput {
  ownerId: UserId;
  /** 1 to 100 requesters, answered in this order (a repeated id gets the same answer again). */
  followerIds: UserId[];
  action: 'accept' | 'reject';
}

export interface RequestAnswer {
  followerId: UserId;
  /** The request's state after the call; `not_found` when there was no request to answer. */
  status: 'accepted' | 'rejected' | 'not_found';
  changed: boolean;
}

/**
 * Accepts or rejects pending requests. One: throws RequestNotFoundError when there is none.
 * Many (bulk, up to 100): each is answered on its own (its own transaction and event, like a call
 * of its own), so one missing request is `not_found` in the answer and leaves the others alone.
 */
@Injectable()
export class RespondToFollowRequestUseCase {
  constructor(private readonly graph: GraphWriteRepository) {}

  async execute(input: RespondToFollowRequestInput): Promise<RequestResponseOutcome> {
    return this.graph.respondToRequest(input.ownerId, input.followerId, input.action);
  }

  async executeMany(input: RespondToFollowRequestsInput): Promise<RequestAnswer[]> {
    if (input.followerIds.length === 0) throw new ValidationError('follower_ids must list 1 to 100 requesters', 'follower_ids');
    assertAtMost(input.followerIds, GRAPH_LIMITS.bulkRequestIds, 'follower_ids');
    const answers: RequestAnswer[] = [];
    // One after another, in the order given: the same order as the events they write.
    for (const followerId of input.followerIds) {
      try {
        const outcome = await this.graph.respondToRequest(input.ownerId, followerId, input.action);
        answers.push({ followerId, status: outcome.status, changed: outcome.changed });
      } catch (error) {
        if (!(error instanceof GraphError) || error.code !== 'REQUEST_NOT_FOUND') throw error;
        answers.push({ followerId, status: 'not_found', changed: false });
      }
    }
    return answers;
  }
}
