import { Injectable } from '@nestjs/common';
import { GRAPH_LIMITS, GraphReadRepository, MuteRepository, MuteView, Relationship, UserId, muteViewOf } from '@graph/domain';
import { assertAtMost } from './read-limits';

export interface GetRelationshipsInput {
  viewerId: UserId;
  /** At most 100 ids; answered in this order, duplicates repeated. */
  userIds: UserId[];
}

/** A relationship with the viewer's own mute of the user (never the other way: mutes are private). */
export type ViewerRelationship = Relationship & MuteView;

/** How the viewer stands towards each of up to 100 users: the graph and the viewer's mutes, read side by side. */
@Injectable()
export class GetRelationshipsUseCase {
  constructor(
    private readonly graph: GraphReadRepository,
    private readonly mutes: MuteRepository,
  ) {}

  async execute(input: GetRelationshipsInput): Promise<ViewerRelationship[]> {
    assertAtMost(input.userIds, GRAPH_LIMITS.relationshipIds, 'ids');
    if (input.userIds.length === 0) return [];
    const [relationships, mutes] = await Promise.all([
      this.graph.getRelationships(input.viewerId, input.userIds),
      this.mutes.getMutes(input.viewerId, input.userIds),
    ]);
    return relationships.map((r, i) => ({ ...r, ...muteViewOf(mutes[i] ?? null) }));
  }
}
