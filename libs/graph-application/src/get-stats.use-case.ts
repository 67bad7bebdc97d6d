import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, GraphStats, UserId, VisibleStats, visibleStats } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface GetStatsInput {
  /** At most 100 ids, answered in this order. */
  userIds: UserId[];
}

export interface GetVisibleStatsInput {
  viewerId: UserId;
  userId: UserId;
}

/**
 * Exact counters of each user, for internal services (request-reply): every count, whatever the
 * account's hide_counts. `forViewer` is the REST answer: a count the account hides from the viewer
 * is null (visibleStats, docs/api.md "Account policies").
 */
@Injectable()
export class GetStatsUseCase {
  constructor(private readonly graph: GraphReadRepository) {}

  async execute(input: GetStatsInput): Promise<GraphStats[]> {
    assertAtMost(input.userIds, GRAPH_LIMITS.statsIds, 'user_ids');
    if (input.userIds.length === 0) return [];
    return this.graph.getStats(input.userIds);
  }

  async forViewer(input: GetVisibleStatsInput): Promise<VisibleStats> {
    const [[stats], settings] = await Promise.all([this.graph.getStats([input.userId]), this.graph.getSettings(input.userId)]);
    if (!settings.hideCounts) return stats!;
    const [r] = await this.graph.getRelationships(input.viewerId, [input.userId]);
    return visibleStats(input.viewerId, stats!, r!, settings);
  }
}
