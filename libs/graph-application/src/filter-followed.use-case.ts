import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, UserId } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface FilterFollowedInput {
  followerId: UserId;
  /** At most 1000 ids. */
  candidateIds: UserId[];
}

/** The subset of candidates that the follower follows (accepted), in the order given, without repeats. */
@Injectable()
export class FilterFollowedUseCase {
  constructor(private readonly graph: GraphReadRepository) {}

  async execute(input: FilterFollowedInput): Promise<UserId[]> {
    assertAtMost(input.candidateIds, GRAPH_LIMITS.filterFollowedIds, 'following_ids');
    const unique = [...new Set(input.candidateIds)];
    if (unique.length === 0) return [];
    return this.graph.filterFollowed(input.followerId, unique);
  }
}
