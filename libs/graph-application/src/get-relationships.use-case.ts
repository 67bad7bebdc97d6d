import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, Relationship, UserId } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface GetRelationshipsInput {
  viewerId: UserId;
  /** At most 100 ids; answered in this order, duplicates repeated. */
  userIds: UserId[];
}

/** How the viewer stands towards each of up to 100 users, in one round trip. */
@Injectable()
export class GetRelationshipsUseCase {
  constructor(private readonly graph: GraphReadRepository) {}

  async execute(input: GetRelationshipsInput): Promise<Relationship[]> {
    assertAtMost(input.userIds, GRAPH_LIMITS.relationshipIds, 'ids');
    if (input.userIds.length === 0) return [];
    return this.graph.getRelationships(input.viewerId, input.userIds);
  }
}
