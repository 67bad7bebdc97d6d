import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, GraphStats, UserId } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface GetStatsInput {
  /** At most 100 ids, answered in this order. */
  userIds: UserId[];
}

/** Exact counters of each user; public (a private account's counts are visible to anyone). */
@Injectable()
export class GetStatsUseCase {
  constructor(private readonly graph: GraphReadRepository) {}

  async execute(input: GetStatsInput): Promise<GraphStats[]> {
    assertAtMost(input.userIds, GRAPH_LIMITS.statsIds, 'user_ids');
    if (input.userIds.length === 0) return [];
    return this.graph.getStats(input.userIds);
  }
}
