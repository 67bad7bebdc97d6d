import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, Recommendation, UserId } from '@graph/domain';
import { GraphPolicy } from './graph-policy';
import { pageLimit } from './read-limits';

export interface GetRecommendationsInput {
  userId: UserId;
  /** Default 10, at most 50. */
  limit?: number;
}

/**
 * Friend-of-friend suggestions. The work is bounded by the policy (the user's most recent
 * followings, and each one's most recent followings), so a heavy user costs what a light one does.
 */
@Injectable()
export class GetRecommendationsUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly policy: GraphPolicy,
  ) {}

  async execute(input: GetRecommendationsInput): Promise<Recommendation[]> {
    const limit = pageLimit(input.limit, GRAPH_LIMITS.recommendationsDefault, GRAPH_LIMITS.recommendationsMax);
    return this.graph.getRecommendations(input.userId, limit, this.policy.recommendations);
  }
}
