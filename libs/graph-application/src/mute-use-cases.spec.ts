import { CursorCodec, MAX_MUTE_DURATION_SECONDS, UserId, parseUserId, NO_FOLLOWING_CAP } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { GetRecommendationsUseCase } from './get-recommendations.use-case';
import { GetRelationshipsUseCase } from './get-relationships.use-case';
import { GraphPolicy } from './graph-policy';
import { ListMutesUseCase } from './list-mutes.use-case';
import { MuteUserUseCase } from './mute-user.use-case';
import { SweepExpiredMutesUseCase } from './sweep-expired-mutes.use-case';
import { UnmuteUserUseCase } from './unmute-user.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');
const policy: GraphPolicy = { followRateLimit: { limit: 200, windowSeconds: 3600 }, recommendations: { recentFollowings: 10, perFollowing: 20 }, followingCap: NO_FOLLOWING_CAP };

describe('mute use cases', () => {
  let store: InMemoryGraphStore;
  let mutes: InMemoryMuteRepository;
  let mute: MuteUserUseCase;
  beforeEach(() => {
    store = new InMemoryGraphStore();
    mutes = new InMemoryMuteRepository();
    mute = new MuteUserUseCase(mutes);
  });

  describe('MuteUserUseCase', () => {
    it('defaults to notifications muted, scope all, forever', async () => {
      await expect(mute.execute({ muterId: id(1), mutedId: id(2) })).resolves.toEqual({
        changed: true,
        settings: { notifications: true, scope: 'all', expiresAt: null },
      });
      await expect(mute.execute({ muterId: id(1), mutedId: id(2) })).resolves.toMatchObject({ changed: false });
    });

    it('turns a duration into an expiry, up to a year', async () => {
      const before = Date.now();
      const { settings } = await mute.execute({ muterId: id(1), mutedId: id(2), durationSeconds: 3600, scope: 'reposts', notifications: false });
      expect(settings.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + 3600_000);
      expect(settings.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
      expect(settings).toMatchObject({ scope: 'reposts', notifications: false });
      await expect(mute.execute({ muterId: id(1), mutedId: id(3), durationSeconds: MAX_MUTE_DURATION_SECONDS })).resolves.toMatchObject({ changed: true });
    });

    it('refuses self-mute, a bad duration or scope, writing nothing', async () => {
      expect(await codeOf(mute.execute({ muterId: id(1), mutedId: id(1) }))).toBe('SELF_MUTE');
      for (const durationSeconds of [-1, 1.5, MAX_MUTE_DURATION_SECONDS + 1, Number.NaN]) {
        expect(await codeOf(mute.execute({ muterId: id(1), mutedId: id(2), durationSeconds }))).toBe('VALIDATION_FAILED');
      }
      expect(await codeOf(mute.execute({ muterId: id(1), mutedId: id(2), scope: 'posts' as never }))).toBe('VALIDATION_FAILED');
      expect(mutes.events).toEqual([]);
    });
  });

  it('UnmuteUserUseCase: changed once, then nothing', async () => {
    const unmute = new UnmuteUserUseCase(mutes);
    await mute.execute({ muterId: id(1), mutedId: id(2) });
    await expect(unmute.execute({ muterId: id(1), mutedId: id(2) })).resolves.toEqual({ changed: true });
    await expect(unmute.execute({ muterId: id(1), mutedId: id(2) })).resolves.toEqual({ changed: false });
  });

  it('GetRelationshipsUseCase: the viewer sees its own mute, the muted user sees nothing', async () => {
    const relationships = new GetRelationshipsUseCase(new InMemoryGraphReadRepository(store), mutes);
    seedInMemoryGraph(store, { edges: [{ follower: id(1), following: id(2), status: 'accepted' }] });
    await mute.execute({ muterId: id(1), mutedId: id(2), notifications: false, durationSeconds: 60 });
    const [mine, other] = await relationships.execute({ viewerId: id(1), userIds: [id(2), id(3)] });
    expect(mine).toMatchObject({ following: true, relationship: 'following', muting: true, mutingNotifications: false });
    expect(mine!.mutingExpiresAt).toBeInstanceOf(Date);
    expect(other).toMatchObject({ muting: false, mutingNotifications: false, mutingExpiresAt: null });
    const [theirs] = await relationships.execute({ viewerId: id(2), userIds: [id(1)] });
    expect(theirs).toMatchObject({ followedBy: true, muting: false, mutingNotifications: false, mutingExpiresAt: null });
  });

  it('GetRecommendationsUseCase: leaves muted accounts out and still fills the page', async () => {
    // 1 follows 10..14; each of them follows 20..31, so 20..31 are suggested (5 mutuals each).
    const hubs = [10, 11, 12, 13, 14].map(id);
    const candidates = Array.from({ length: 12 }, (_, i) => id(20 + i));
    seedInMemoryGraph(store, {
      edges: [
        ...hubs.map((h) => ({ follower: id(1), following: h, status: 'accepted' as const })),
        ...hubs.flatMap((h) => candidates.map((c) => ({ follower: h, following: c, status: 'accepted' as const }))),
      ],
    });
    const graph = new InMemoryGraphReadRepository(store);
    const suggestions = new GetRecommendationsUseCase(graph, mutes, policy);
    // Each with the newest three of the hubs that follow it.
    const expected = async (ids: UserId[]) => {
      const known = await graph.knownFollowersOf(id(1), ids, 3);
      return ids.map((userId, i) => ({ userId, mutualCount: 5, sampleMutualIds: known[i]!.sampleIds }));
    };
    expect(await suggestions.execute({ userId: id(1), limit: 3 })).toEqual(await expected([id(20), id(21), id(22)]));
    await mute.execute({ muterId: id(1), mutedId: id(20) });
    await mute.execute({ muterId: id(1), mutedId: id(22), durationSeconds: 60 });
    expect(await suggestions.execute({ userId: id(1), limit: 3 })).toEqual(await expected([id(21), id(23), id(24)]));
  });

  it('ListMutesUseCase: keyset pages bound to the muter, page or ids sized', async () => {
    const list = new ListMutesUseCase(mutes, new CursorCodec('unit'));
    for (let n = 2; n <= 26; n++) await mute.execute({ muterId: id(1), mutedId: id(n) });
    const first = await list.execute({ muterId: id(1) });
    expect(first.items).toHaveLength(20);
    const second = await list.execute({ muterId: id(1), cursor: first.nextCursor });
    expect(second.items.map((m) => m.mutedId)).toEqual([6, 5, 4, 3, 2].map(id));
    expect(second.nextCursor).toBeNull();
    expect((await list.execute({ muterId: id(1), size: 'ids', limit: 5000 })).items).toHaveLength(25);
    expect(await codeOf(list.execute({ muterId: id(2), cursor: first.nextCursor }))).toBe('INVALID_CURSOR');
    expect(await codeOf(list.execute({ muterId: id(1), limit: 101 }))).toBe('VALIDATION_FAILED');
  });

  it('SweepExpiredMutesUseCase: deletes every expired mute, in batches, with an expired event each', async () => {
    const past = new Date(Date.now() - 1000);
    for (let n = 2; n <= 1200; n++) await mutes.mute(id(1), id(n), { notifications: true, scope: 'all', expiresAt: past });
    await mute.execute({ muterId: id(1), mutedId: id(5000) });
    await expect(new SweepExpiredMutesUseCase(mutes).execute()).resolves.toEqual({ swept: 1199 });
    expect(mutes.mutes.size).toBe(1);
    expect(mutes.events.filter((e) => e.type === 'unmute' && e.reason === 'expired')).toHaveLength(1199);
  });
});
