import { UserId, parseUserId } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { GetKnownFollowersUseCase } from './get-known-followers.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');

describe('GetKnownFollowersUseCase', () => {
  const store = new InMemoryGraphStore();
  // 1 follows 10..14; 10..14 follow 20; 10, 11 follow 21 (private, 1 does not follow it); 12 follows 22 (blocks 1); 23 is private and followed by 1 and 13.
  seedInMemoryGraph(store, {
    edges: [
      ...[10, 11, 12, 13, 14].map((k) => ({ follower: id(1), following: id(k), status: 'accepted' as const })),
      ...[10, 11, 12, 13, 14].map((k) => ({ follower: id(k), following: id(20), status: 'accepted' as const })),
      { follower: id(10), following: id(21), status: 'accepted' },
      { follower: id(11), following: id(21), status: 'accepted' },
      { follower: id(12), following: id(22), status: 'accepted' },
      { follower: id(1), following: id(23), status: 'accepted' },
      { follower: id(13), following: id(23), status: 'accepted' },
    ],
    blocks: [{ blocker: id(22), blocked: id(1) }],
    privateUsers: [id(21), id(23)],
  });
  const useCase = new GetKnownFollowersUseCase(new InMemoryGraphReadRepository(store));

  it('counts and samples three per target, in the order asked, hiding what the viewer may not see', async () => {
    expect(await useCase.execute({ viewerId: id(1), userIds: [id(20), id(21), id(22), id(23), id(99), id(20)] })).toEqual([
      { userId: id(20), count: 5, sampleIds: [id(14), id(13), id(12)] },
      { userId: id(21), count: null, sampleIds: [] },
      { userId: id(22), count: null, sampleIds: [] },
      { userId: id(23), count: 1, sampleIds: [id(13)] },
      { userId: id(99), count: 0, sampleIds: [] },
      { userId: id(20), count: 5, sampleIds: [id(14), id(13), id(12)] },
    ]);
  });

  it('refuses more than 100 ids with TOO_MANY_IDS', async () => {
    expect(await codeOf(useCase.execute({ viewerId: id(1), userIds: Array.from({ length: 101 }, (_, i) => id(100 + i)) }))).toBe('TOO_MANY_IDS');
    await expect(useCase.execute({ viewerId: id(1), userIds: [] })).resolves.toEqual([]);
  });
});
