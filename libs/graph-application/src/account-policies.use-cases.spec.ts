import { CursorCodec, DEFAULT_USER_SETTINGS, UserId, parseUserId } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { GetKnownFollowersUseCase } from './get-known-followers.use-case';
import { GetStatsUseCase } from './get-stats.use-case';
import { ListEdgesUseCase } from './list-edges.use-case';
import { UpdateAccountSettingsUseCase } from './update-account-settings.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');

/** The account policies through the use cases, on the in-memory fakes (docs/api.md "Account policies"). */
describe('account policies', () => {
  const [owner, follower, stranger, fan, followed] = [id(1), id(2), id(3), id(4), id(5)];
  let store: InMemoryGraphStore;
  let reads: InMemoryGraphReadRepository;
  let settings: UpdateAccountSettingsUseCase;

  beforeEach(() => {
    store = new InMemoryGraphStore();
    reads = new InMemoryGraphReadRepository(store);
    settings = new UpdateAccountSettingsUseCase(new InMemoryGraphWriteRepository(store), reads);
    seedInMemoryGraph(store, {
      edges: [
        { follower, following: owner, status: 'accepted' },
        { follower: fan, following: owner, status: 'accepted' },
        { follower: owner, following: followed, status: 'accepted' },
        { follower: owner, following: fan, status: 'accepted' },
        // the stranger follows the fan, who follows the owner: a known follower of the owner for the stranger
        { follower: stranger, following: fan, status: 'accepted' },
      ],
    });
  });

  describe('UpdateAccountSettingsUseCase', () => {
    it('changes only the fields given and answers every setting', async () => {
      expect(await settings.execute({ userId: owner, policies: { followersVisibility: 'followers', requestTtlDays: 14 } })).toEqual({
        ...DEFAULT_USER_SETTINGS,
        followersVisibility: 'followers',
        requestTtlDays: 14,
      });
      expect(await settings.execute({ userId: owner, isPrivate: true, policies: { hideCounts: true } })).toEqual({
        ...DEFAULT_USER_SETTINGS,
        isPrivate: true,
        followersVisibility: 'followers',
        requestTtlDays: 14,
        hideCounts: true,
      });
      expect((await settings.execute({ userId: owner, policies: { requestTtlDays: null } })).requestTtlDays).toBeNull();
    });

    it('refuses an empty change and values out of range with VALIDATION_FAILED, writing nothing', async () => {
      expect(await codeOf(settings.execute({ userId: owner, policies: {} }))).toBe('VALIDATION_FAILED');
      for (const requestTtlDays of [0, 366, 1.5]) {
        expect(await codeOf(settings.execute({ userId: owner, isPrivate: true, policies: { requestTtlDays } }))).toBe('VALIDATION_FAILED');
      }
      expect(await codeOf(settings.execute({ userId: owner, policies: { followingVisibility: 'friends' as never } }))).toBe('VALIDATION_FAILED');
      expect(await reads.getSettings(owner)).toEqual(DEFAULT_USER_SETTINGS);
    });
  });

  describe('list visibility', () => {
    const lists = () => new ListEdgesUseCase(reads, new CursorCodec('unit'));
    const access = (viewerId: UserId, list: Parameters<ListEdgesUseCase['execute']>[0]['list']) => codeOf(lists().execute({ viewerId, list }));

    it('followers: keeps the followers list (and the known and common followers from it) to followers, or to the owner', async () => {
      await settings.execute({ userId: owner, policies: { followersVisibility: 'followers' } });
      expect(await access(stranger, { kind: 'followers', userId: owner })).toBe('LIST_HIDDEN');
      expect(await access(stranger, { kind: 'known_followers', userId: owner, viewerId: stranger })).toBe('LIST_HIDDEN');
      expect(await access(stranger, { kind: 'common_followers', userA: owner, userB: fan })).toBe('LIST_HIDDEN');
      expect(await access(stranger, { kind: 'following', userId: owner })).toBe('ok');
      expect(await access(follower, { kind: 'followers', userId: owner })).toBe('ok');
      expect(await access(owner, { kind: 'followers', userId: owner })).toBe('ok');

      await settings.execute({ userId: owner, policies: { followersVisibility: 'private' } });
      expect(await access(follower, { kind: 'followers', userId: owner })).toBe('LIST_HIDDEN');
      expect(await access(owner, { kind: 'followers', userId: owner })).toBe('ok');
    });

    it('mutuals need both lists visible; a private account stays PRIVATE_ACCOUNT for non-followers', async () => {
      await settings.execute({ userId: owner, policies: { followingVisibility: 'private' } });
      expect(await access(follower, { kind: 'mutuals', userId: owner })).toBe('LIST_HIDDEN');
      expect(await access(follower, { kind: 'followers', userId: owner })).toBe('ok');
      await settings.execute({ userId: owner, isPrivate: true, policies: {} });
      expect(await access(stranger, { kind: 'following', userId: owner })).toBe('PRIVATE_ACCOUNT');
      expect(await access(follower, { kind: 'following', userId: owner })).toBe('LIST_HIDDEN');
    });

    it('batched known followers answer null for a target whose followers list is hidden', async () => {
      const known = new GetKnownFollowersUseCase(reads);
      expect(await known.execute({ viewerId: stranger, userIds: [owner] })).toEqual([{ userId: owner, count: 1, sampleIds: [fan] }]);
      await settings.execute({ userId: owner, policies: { followersVisibility: 'followers' } });
      expect(await known.execute({ viewerId: stranger, userIds: [owner] })).toEqual([{ userId: owner, count: null, sampleIds: [] }]);
    });
  });

  describe('hide_counts', () => {
    const stats = () => new GetStatsUseCase(reads);

    it('nulls for the viewer the counts of lists it may not see; the owner and request-reply stay exact', async () => {
      const exact = { userId: owner, followerCount: 2, followingCount: 2, pendingRequestsCount: 0 };
      expect(await stats().forViewer({ viewerId: stranger, userId: owner })).toEqual(exact);
      await settings.execute({ userId: owner, policies: { hideCounts: true, followingVisibility: 'followers' } });
      expect(await stats().forViewer({ viewerId: stranger, userId: owner })).toEqual({ ...exact, followingCount: null, pendingRequestsCount: null });
      expect(await stats().forViewer({ viewerId: follower, userId: owner })).toEqual({ ...exact, pendingRequestsCount: null });
      expect(await stats().forViewer({ viewerId: owner, userId: owner })).toEqual(exact);
      expect(await stats().execute({ userIds: [owner] })).toEqual([exact]);
    });

    it('without hide_counts a hidden list still has a public count', async () => {
      await settings.execute({ userId: owner, policies: { followersVisibility: 'private' } });
      expect((await stats().forViewer({ viewerId: stranger, userId: owner })).followerCount).toBe(2);
    });
  });
});
