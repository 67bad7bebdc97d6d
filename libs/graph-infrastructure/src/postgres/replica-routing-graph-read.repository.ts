import { DataSource } from 'typeorm';
import {
  DetailedEdgeSlice,
  EdgeDetailList,
  EdgeList,
  EdgeSlice,
  EdgeTimeRange,
  GraphReadRepository,
  GraphStats,
  KnownFollowersSummary,
  ListPageRead,
  ListPageSources,
  ListPageSourcesQuery,
  OwnedEdgeList,
  PageQuery,
  Recommendation,
  RecommendationBounds,
  Relationship,
  UserId,
  UserSettings,
} from '@graph/domain';
import { ReadReplicas } from './read-replicas';
import { TypeOrmGraphReadRepository } from './typeorm-graph-read.repository';

/** The users a list is about: a write of any of them makes a replica's copy of the list suspect. */
function listUsers(list: EdgeList): UserId[] {
  switch (list.kind) {
    case 'common_followers':
      return [list.userA, list.userB];
    case 'known_followers':
      return [list.viewerId, list.userId];
    default:
      return [list.userId];
  }
}

/**
 * Sends the reads that tolerate lag (lists, counts, stats, suggestions) to a read replica that has
 * replayed every recent write of the users they are about (ReadReplicas.pick), everything else to
 * the primary: settings, relationships, followed-by checks and list access, which decide what a
 * caller may see (readListPage checks access on the primary, then reads the page where lists go). A read that fails on a replica is answered by the primary (the replica is taken out
 * of use), so a replica going down fails no call. With no replica configured it is not in the chain.
 */
export class ReplicaRoutingGraphReadRepository extends GraphReadRepository {
  private readonly onReplica = new Map<DataSource, TypeOrmGraphReadRepository>();

  constructor(
    private readonly primary: TypeOrmGraphReadRepository,
    private readonly replicas: ReadReplicas,
    replicaDataSources: readonly DataSource[],
  ) {
    super();
    for (const d of replicaDataSources) this.onReplica.set(d, new TypeOrmGraphReadRepository(d));
  }

  getSettings(userId: UserId): Promise<UserSettings> {
    return this.primary.getSettings(userId);
  }

  getRelationships(viewerId: UserId, userIds: UserId[]): Promise<Relationship[]> {
    return this.primary.getRelationships(viewerId, userIds);
  }

  filterFollowed(followerId: UserId, candidateIds: UserId[]): Promise<UserId[]> {
    return this.primary.filterFollowed(followerId, candidateIds);
  }

  /** Access on the primary; the page and total, once visible, where listEdges and countEdges go. */
  async readListPage(viewerId: UserId, list: OwnedEdgeList, page: PageQuery): Promise<ListPageRead> {
    if (viewerId !== list.userId) {
      const access = await this.primary.listAccessOf(viewerId, list);
      if (access !== 'ok') return { access };
    }
    const [slice, total] = await this.routed([viewerId, ...listUsers(list)], (r) => Promise.all([r.listEdges(list, page), r.countEdges(list)]));
    return { access: 'ok', slice, total };
  }

  getStats(userIds: UserId[]): Promise<GraphStats[]> {
    return this.routed(userIds, (r) => r.getStats(userIds));
  }

  listEdges(list: EdgeList, page: PageQuery): Promise<EdgeSlice> {
    return this.routed(listUsers(list), (r) => r.listEdges(list, page));
  }

  countEdges(list: EdgeList): Promise<number> {
    return this.routed(listUsers(list), (r) => r.countEdges(list));
  }

  getRecommendations(userId: UserId, limit: number, bounds: RecommendationBounds, relativeTo?: UserId): Promise<Recommendation[]> {
    const about = relativeTo === undefined ? [userId] : [userId, relativeTo];
    return this.routed(about, (r) => r.getRecommendations(userId, limit, bounds, relativeTo));
  }

  /** Id pages for fan-out (request-reply): lag-tolerant, like the lists. */
  listEdgeDetails(list: EdgeDetailList, page: PageQuery, range: EdgeTimeRange): Promise<DetailedEdgeSlice> {
    return this.routed([list.userId], (r) => r.listEdgeDetails(list, page, range));
  }

  /** Counts derived from lists; the viewer's own recent follows keep it on the primary until replayed. */
  knownFollowersOf(viewerId: UserId, targetIds: UserId[], sample: number): Promise<KnownFollowersSummary[]> {
    return this.routed([viewerId, ...targetIds], (r) => r.knownFollowersOf(viewerId, targetIds, sample));
  }

  sampleKnownFollowers(viewerId: UserId, targetIds: UserId[], sample: number): Promise<UserId[][]> {
    return this.routed([viewerId, ...targetIds], (r) => r.sampleKnownFollowers(viewerId, targetIds, sample));
  }

  /** What cache fills read: on the primary (a lagging replica would store stale entries). */
  override listPageSources(list: OwnedEdgeList, want: ListPageSourcesQuery): Promise<ListPageSources> {
    return this.primary.listPageSources(list, want);
  }

  /** An access check (reply threads between other users): on the primary. */
  blockExists(pairs: Array<readonly [UserId, UserId]>): Promise<boolean[]> {
    return this.primary.blockExists(pairs);
  }

  mostFollowed(limit: number): Promise<UserId[]> {
    return this.routed([], (r) => r.mostFollowed(limit));
  }

  private async routed<T>(userIds: readonly UserId[], read: (repository: GraphReadRepository) => Promise<T>): Promise<T> {
    const replica = this.replicas.pick(userIds);
    if (!replica) return read(this.primary);
    try {
      return await read(this.onReplica.get(replica)!);
    } catch (error) {
      this.replicas.failed(replica, error);
      return read(this.primary);
    }
  }
}
