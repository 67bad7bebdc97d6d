import { CursorCodec, UserId, parseUserId, NO_FOLLOWING_CAP } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { FilterFollowedUseCase } from './filter-followed.use-case';
import { GetRecommendationsUseCase } from './get-recommendations.use-case';
import { GetRelationshipsUseCase } from './get-relationships.use-case';
import { GetStatsUseCase } from './get-stats.use-case';
import { GraphPolicy } from './graph-policy';
import { ListUserIdsUseCase } from './list-user-ids.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => id(from + i));

describe('read use cases', () => {
  const store = new InMemoryGraphStore();
  const repo = new InMemoryGraphReadRepository(store);
  const policy: GraphPolicy = { followRateLimit: { limit: 200, windowSeconds: 3600 }, recommendations: { recentFollowings: 2, perFollowing: 100 }, followingCap: NO_FOLLOWING_CAP };
  const me = id(1);
  const fans = range(100, 2500);
  const followed = range(10, 5);
  beforeAll(() => {
    seedInMemoryGraph(store, {
      edges: [
        ...fans.map((f) => ({ follower: f, following: me, status: 'accepted' as const })),
        ...followed.map((f) => ({ follower: me, following: f, status: 'accepted' as const })),
        // the two newest followings (13, 14) follow 50 and 51; the older 10 follows 52
        { follower: id(13), following: id(50), status: 'accepted' },
        { follower: id(14), following: id(50), status: 'accepted' },
        { follower: id(14), following: id(51), status: 'accepted' },
        { follower: id(10), following: id(52), status: 'accepted' },
        ...range(60, 60).map((u) => ({ follower: id(14), following: u, status: 'accepted' as const })),
      ],
    });
  });

  describe('GetRelationshipsUseCase', () => {
    const useCase = new GetRelationshipsUseCase(repo, new InMemoryMuteRepository());
    it('answers up to 100 ids in order and refuses more with TOO_MANY_IDS', async () => {
      const rels = await useCase.execute({ viewerId: me, userIds: [id(10), fans[0]!, id(99999)] });
      expect(rels.map((r) => r.relationship)).toEqual(['following', 'followed_by', 'none']);
      expect(await useCase.execute({ viewerId: me, userIds: [] })).toEqual([]);
      expect(await useCase.execute({ viewerId: me, userIds: range(5000, 100) })).toHaveLength(100);
      expect(await codeOf(useCase.execute({ viewerId: me, userIds: range(5000, 101) }))).toBe('TOO_MANY_IDS');
    });
  });

  describe('GetStatsUseCase', () => {
    const useCase = new GetStatsUseCase(repo);
    it('gives exact counts for many users, at most 100', async () => {
      expect(await useCase.execute({ userIds: [me, id(99999)] })).toEqual([
        { userId: me, followerCount: 2500, followingCount: 5, pendingRequestsCount: 0 },
        { userId: id(99999), followerCount: 0, followingCount: 0, pendingRequestsCount: 0 },
      ]);
      expect(await codeOf(useCase.execute({ userIds: range(5000, 101) }))).toBe('TOO_MANY_IDS');
    });
  });

  describe('FilterFollowedUseCase', () => {
    const useCase = new FilterFollowedUseCase(repo);
    it('keeps the followed ones in order, once each, for up to 1000 candidates', async () => {
      expect(await useCase.execute({ followerId: me, candidateIds: [id(12), id(99), id(10), id(12)] })).toEqual([id(12), id(10)]);
      expect(await useCase.execute({ followerId: me, candidateIds: range(1, 1000) })).toEqual(followed);
      expect(await codeOf(useCase.execute({ followerId: me, candidateIds: range(1, 1001) }))).toBe('TOO_MANY_IDS');
    });
  });

  describe('GetRecommendationsUseCase', () => {
    const useCase = new GetRecommendationsUseCase(repo, new InMemoryMuteRepository(), policy);
    it('uses the policy bounds, default 10 and at most 50', async () => {
      const recs = await useCase.execute({ userId: me });
      // only followings 13 and 14 are explored (recentFollowings: 2), so 52 never appears
      expect(recs[0]).toEqual({ userId: id(50), mutualCount: 2, sampleMutualIds: [id(14), id(13)] });
      expect(recs).toHaveLength(10);
      expect(recs.some((r) => r.userId === id(52))).toBe(false);
      expect(await useCase.execute({ userId: me, limit: 50 })).toHaveLength(50);
      for (const limit of [0, 51, 2.5]) expect(await codeOf(useCase.execute({ userId: me, limit }))).toBe('VALIDATION_FAILED');
    });
  });

  describe('ListUserIdsUseCase', () => {
    const cursors = new CursorCodec('unit');
    const useCase = new ListUserIdsUseCase(repo, cursors);
    it('pages every follower id, 1000 by default and up to 5000', async () => {
      const first = await useCase.execute({ userId: me, direction: 'followers' });
      expect(first.userIds).toHaveLength(1000);
      const second = await useCase.execute({ userId: me, direction: 'followers', cursor: first.nextCursor, limit: 5000 });
      expect(second.userIds).toHaveLength(1500);
      expect(second.nextCursor).toBeNull();
      expect(new Set([...first.userIds, ...second.userIds])).toEqual(new Set(fans));
      expect((await useCase.execute({ userId: me, direction: 'following' })).userIds).toEqual([...followed].reverse());
      expect(await codeOf(useCase.execute({ userId: me, direction: 'following', cursor: first.nextCursor }))).toBe('INVALID_CURSOR');
      expect(await codeOf(useCase.execute({ userId: me, direction: 'followers', limit: 5001 }))).toBe('VALIDATION_FAILED');
    });

    it('adds each edge with its options on request, and bounds the edges by time; cursors serve both paths', async () => {
      const plain = await useCase.execute({ userId: me, direction: 'followers', limit: 10 });
      const detailed = await useCase.execute({ userId: me, direction: 'followers', limit: 10, details: true });
      expect(detailed.userIds).toEqual(plain.userIds);
      expect(detailed.nextCursor).toEqual(plain.nextCursor);
      expect(detailed.edges!.map((e) => e.userId)).toEqual(plain.userIds);
      expect(detailed.edges![0]!.options).toEqual({ notify: false, reposts: true, languages: null });
      expect(plain.edges).toBeUndefined();
      const next = await useCase.execute({ userId: me, direction: 'followers', limit: 10, cursor: plain.nextCursor, details: true });
      expect(next.userIds).toEqual((await useCase.execute({ userId: me, direction: 'followers', limit: 10, cursor: plain.nextCursor })).userIds);
      const future = new Date(Date.now() + 60_000);
      expect((await useCase.execute({ userId: me, direction: 'followers', since: future })).userIds).toEqual([]);
      expect((await useCase.execute({ userId: me, direction: 'following', until: future })).userIds).toEqual([...followed].reverse());
      expect(await codeOf(useCase.execute({ userId: me, direction: 'followers', since: future, until: future }))).toBe('VALIDATION_FAILED');
    });
  });
});
