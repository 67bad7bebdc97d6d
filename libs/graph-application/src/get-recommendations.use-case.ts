import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, MuteRepository, Recommendation, UserId } from '@graph/domain';
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
 * Accounts the user mutes are left out: the most the port gives (the cached list) is read, the
 * muted are dropped, and the first `limit` remain.
 */
@Injectable()
export class GetRecommendationsUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly mutes: MuteRepository,
    private readonly policy: GraphPolicy,
  ) {}

  async execute(input: GetRecommendationsInput): Promise<Recommendation[]> {
    const limit = pageLimit(input.limit, GRAPH_LIMITS.recommendationsDefault, GRAPH_LIMITS.recommendationsMax);
    const ranked = await this.graph.getRecommendations(input.userId, GRAPH_LIMITS.recommendationsMax, this.policy.recommendations);
    const muted = await this.mutes.getMutes(input.userId, ranked.map((r) => r.userId));
    return ranked.filter((_, i) => muted[i] === null).slice(0, limit);
  }
}
