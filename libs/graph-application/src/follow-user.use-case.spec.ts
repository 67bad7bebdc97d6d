import { BlockedError, DEFAULT_FOLLOW_OPTIONS, GraphError, RateLimitedError, SelfFollowError, UserId, NO_FOLLOWING_CAP } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { InMemoryRateLimiter } from '@graph/domain/testing/in-memory-rate-limiter';
import { FollowUserUseCase } from './follow-user.use-case';
import { GraphPolicy } from './graph-policy';

const [alice, bob, carol] = ['1', '2', '3'] as UserId[];

describe('FollowUserUseCase', () => {
  let store: InMemoryGraphStore;
  let limiter: InMemoryRateLimiter;
  let useCase: FollowUserUseCase;

  beforeEach(() => {
    store = new InMemoryGraphStore();
    limiter = new InMemoryRateLimiter();
    const policy: GraphPolicy = { followRateLimit: { limit: 3, windowSeconds: 60 }, recommendations: { recentFollowings: 10, perFollowing: 10 }, followingCap: NO_FOLLOWING_CAP };
    useCase = new FollowUserUseCase(new InMemoryGraphWriteRepository(store), limiter, policy);
  });

  it('follows a public account and a private one by request', async () => {
    expect(await useCase.execute({ followerId: alice, followingId: bob })).toMatchObject({ status: 'accepted', changed: true });
    store.privateUsers.add(carol);
    expect(await useCase.execute({ followerId: alice, followingId: carol })).toMatchObject({ status: 'pending', changed: true });
    expect(store.events.map((e) => e.type)).toEqual(['follow', 'follow']);
  });

  it('refuses a self-follow before counting it or writing anything', async () => {
    await expect(useCase.execute({ followerId: alice, followingId: alice })).rejects.toBeInstanceOf(SelfFollowError);
    expect(limiter.calls).toEqual([]);
    expect(store.edges.size).toBe(0);
  });

  it('counts calls per follower and refuses past the limit with the time to wait', async () => {
    for (const target of ['10', '11', '12'] as UserId[]) await useCase.execute({ followerId: alice, followingId: target });
    const error = await useCase.execute({ followerId: alice, followingId: bob }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(60);
    expect(store.edge(alice, bob)).toBeUndefined();
    expect(limiter.calls.every((k) => k === `follow:${alice}`)).toBe(true);
    // Another user has a budget of their own, and the window resets.
    await expect(useCase.execute({ followerId: bob, followingId: alice })).resolves.toMatchObject({ status: 'accepted' });
    limiter.nowMs += 60_000;
    await expect(useCase.execute({ followerId: alice, followingId: bob })).resolves.toMatchObject({ status: 'accepted' });
  });

  it('passes the port\u2019s BLOCKED through as a domain error', async () => {
    store.blocks.set(InMemoryGraphStore.pairKey(bob, alice), { blockerId: bob, blockedId: alice, createdAtUs: 1n });
    const error = await useCase.execute({ followerId: alice, followingId: bob }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlockedError);
    expect((error as GraphError).code).toBe('BLOCKED');
  });

  it('stores options on a new follow; a repeat with options updates them with one follow_updated event', async () => {
    await expect(useCase.execute({ followerId: alice, followingId: bob, options: { notify: true } })).resolves.toMatchObject({
      status: 'accepted',
      changed: true,
      optionsUpdated: false,
    });
    expect(store.edge(alice, bob)!.options).toEqual({ ...DEFAULT_FOLLOW_OPTIONS, notify: true });
    // No options: nothing to update, the stored ones stay.
    await expect(useCase.execute({ followerId: alice, followingId: bob })).resolves.toMatchObject({ changed: false, optionsUpdated: false });
    await expect(useCase.execute({ followerId: alice, followingId: bob, options: { reposts: false, languages: ['FR', 'en', 'fr'] } })).resolves.toMatchObject({
      changed: false,
      optionsUpdated: true,
    });
    expect(store.edge(alice, bob)!.options).toEqual({ notify: true, reposts: false, languages: ['en', 'fr'] });
    expect(store.events.map((e) => e.type)).toEqual(['follow', 'follow_updated']);
  });

  it('reads an empty language list as every language, and refuses a code that is not ISO 639-1, before counting the call', async () => {
    await useCase.execute({ followerId: alice, followingId: bob, options: { languages: [] } });
    expect(store.edge(alice, bob)!.options.languages).toBeNull();
    const before = limiter.calls.length;
    const error = await useCase.execute({ followerId: alice, followingId: carol, options: { languages: ['en', 'zz'] } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'languages[1]' } });
    expect(await codeOf(useCase.execute({ followerId: alice, followingId: carol, options: { languages: 'en' as never } }))).toBe('VALIDATION_FAILED');
    expect(limiter.calls.length).toBe(before);
    expect(store.edge(alice, carol)).toBeUndefined();
  });
});
