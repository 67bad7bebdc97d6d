import { BlockedError, GraphError, RateLimitedError, SelfFollowError, UserId } from '@graph/domain';
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
    const policy: GraphPolicy = { followRateLimit: { limit: 3, windowSeconds: 60 }, recommendations: { recentFollowings: 10, perFollowing: 10 } };
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
});
