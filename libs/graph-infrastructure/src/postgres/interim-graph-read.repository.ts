import { DataSource } from 'typeorm';
import {
  EdgeList,
  EdgeSlice,
  GraphReadRepository,
  GraphStats,
  PageQuery,
  Recommendation,
  Relationship,
  UserId,
  UserSettings,
} from '@graph/domain';

/**
 * Stand-in for the read port on the graph-write branch, where only GET /settings needs it. The real
 * adapter (TypeOrmGraphReadRepository) comes from the graph-read branch: when both are merged, delete
 * this file and its provider line in postgres.providers.ts.
 */
export class InterimGraphReadRepository extends GraphReadRepository {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async getSettings(userId: UserId): Promise<UserSettings> {
    const [row] = await this.dataSource.query(`SELECT is_private FROM user_settings WHERE user_id = $1`, [userId]);
    return { isPrivate: row?.is_private ?? false };
  }

  getRelationships(_viewerId: UserId, _userIds: UserId[]): Promise<Relationship[]> {
    return this.missing();
  }

  getStats(_userIds: UserId[]): Promise<GraphStats[]> {
    return this.missing();
  }

  listEdges(_list: EdgeList, _page: PageQuery): Promise<EdgeSlice> {
    return this.missing();
  }

  countEdges(_list: EdgeList): Promise<number> {
    return this.missing();
  }

  filterFollowed(_followerId: UserId, _candidateIds: UserId[]): Promise<UserId[]> {
    return this.missing();
  }

  getRecommendations(_userId: UserId, _limit: number): Promise<Recommendation[]> {
    return this.missing();
  }

  mostFollowed(_limit: number): Promise<UserId[]> {
    return this.missing();
  }

  private missing<T>(): Promise<T> {
    return Promise.reject(new Error('the read side is served by TypeOrmGraphReadRepository (branch graph-read)'));
  }
}
