import { UserId, parseUserId } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { DismissRecommendationUseCase } from './dismiss-recommendation.use-case';
import { GetRecommendationsUseCase } from './get-recommendations.use-case';
import { GraphPolicy } from './graph-policy';
import { NO_FOLLOWING_CAP } from '@graph/domain';
import { MuteUserUseCase } from './mute-user.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');
const policy: GraphPolicy = { followRateLimit: { limit: 200, windowSeconds: 3600 }, recommendations: { recentFollowings: 10, perFollowing: 20 }, followingCap: NO_FOLLOWING_CAP };
const me = id(1);
const x = id(2);

describe('suggestion use cases', () => {
  let store: InMemoryGraphStore;
  let mutes: InMemoryMuteRepository;
  let suggestions: GetRecommendationsUseCase;
  let dismiss: DismissRecommendationUseCase;
  beforeEach(() => {
    store = new InMemoryGraphStore();
    mutes = new InMemoryMuteRepository();
    suggestions = new GetRecommendationsUseCase(new InMemoryGraphReadRepository(store), mutes, policy);
    dismiss = new DismissRecommendationUseCase(new InMemoryGraphWriteRepository(store));
    // me follows 10..14; each follows 20 and 21; 10 also follows 22. Fans 30, 31 of X follow 40; 31 follows 41.
    const hubs = [10, 11, 12, 13, 14].map(id);
    seedInMemoryGraph(store, {
      edges: [
        ...hubs.map((h) => ({ follower: me, following: h, status: 'accepted' as const })),
        ...hubs.flatMap((h) => [20, 21].map((c) => ({ follower: h, following: id(c), status: 'accepted' as const }))),
        { follower: id(10), following: id(22), status: 'accepted' },
        ...[30, 31].map((f) => ({ follower: id(f), following: x, status: 'accepted' as const })),
        ...[30, 31].map((f) => ({ follower: id(f), following: id(40), status: 'accepted' as const })),
        { follower: id(31), following: id(41), status: 'accepted' },
        { follower: id(31), following: id(10), status: 'accepted' }, // followed by me already
        { follower: id(12), following: id(40), status: 'accepted' }, // one of my followings follows 40
      ],
    });
  });

  it('gives each suggestion up to three of my followings that follow it, the most recent follow first', async () => {
    const recs = await suggestions.execute({ userId: me });
    expect(recs.map((r) => [r.userId, r.mutualCount])).toEqual([
      [id(20), 5],
      [id(21), 5],
      [id(22), 1],
      [id(40), 1],
    ]);
    expect(recs[0]!.sampleMutualIds).toEqual([14, 13, 12].map(id));
    expect(recs[2]!.sampleMutualIds).toEqual([id(10)]);
  });

  it('uses the samples the repository gives with the list (a cache hit) and reads only the missing ones', async () => {
    const reads = new InMemoryGraphReadRepository(store);
    const ranked = await reads.getRecommendations(me, 50, policy.recommendations);
    // As the cache answers: the first two with their samples, the others without.
    jest.spyOn(reads, 'getRecommendations').mockResolvedValue(ranked.map((r, i) => (i < 2 ? { ...r, sampleMutualIds: [id(90 + i)] } : r)));
    const sampling = jest.spyOn(reads, 'sampleKnownFollowers');
    await new MuteUserUseCase(mutes).execute({ muterId: me, mutedId: id(21) });
    const recs = await new GetRecommendationsUseCase(reads, mutes, policy).execute({ userId: me, limit: 2 });
    // 21 is muted: 22 takes its place and is the only one sampled, on its own read.
    expect(recs).toEqual([
      { userId: id(20), mutualCount: 5, sampleMutualIds: [id(90)] },
      { userId: id(22), mutualCount: 1, sampleMutualIds: [id(10)] },
    ]);
    expect(sampling.mock.calls.map((c) => c[1])).toEqual([[id(22)]]);
  });

  it('dismisses for good, idempotently, and refuses self with SELF_DISMISS', async () => {
    expect(await dismiss.execute({ userId: me, dismissedId: id(20) })).toEqual({ changed: true });
    expect(await dismiss.execute({ userId: me, dismissedId: id(20) })).toEqual({ changed: false });
    expect((await suggestions.execute({ userId: me })).map((r) => r.userId)).toEqual([21, 22, 40].map(id));
    expect(await codeOf(dismiss.execute({ userId: me, dismissedId: me }))).toBe('SELF_DISMISS');
  });

  it('relative to X: what the followers of X follow, without X, my followings, mutes or dismissals; samples from my followings', async () => {
    const recs = await suggestions.execute({ userId: me, relativeTo: x });
    expect(recs).toEqual([
      { userId: id(40), mutualCount: 2, sampleMutualIds: [id(12)] },
      { userId: id(41), mutualCount: 1, sampleMutualIds: [] },
    ]);
    await new MuteUserUseCase(mutes).execute({ muterId: me, mutedId: id(40) });
    await dismiss.execute({ userId: me, dismissedId: id(41) });
    expect(await suggestions.execute({ userId: me, relativeTo: x })).toEqual([]);
  });

  it('relative to X needs X\u2019s followers to be visible: BLOCKED, PRIVATE_ACCOUNT', async () => {
    seedInMemoryGraph(store, { privateUsers: [x] });
    expect(await codeOf(suggestions.execute({ userId: me, relativeTo: x }))).toBe('PRIVATE_ACCOUNT');
    seedInMemoryGraph(store, { edges: [{ follower: me, following: x, status: 'accepted' }] });
    expect(await codeOf(suggestions.execute({ userId: me, relativeTo: x }))).toBe('ok');
    seedInMemoryGraph(store, { blocks: [{ blocker: x, blocked: me }] });
    expect(await codeOf(suggestions.execute({ userId: me, relativeTo: x }))).toBe('BLOCKED');
  });
});
