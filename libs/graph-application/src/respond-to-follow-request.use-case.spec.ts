import { RequestNotFoundError, UserId } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { RemoveFollowerUseCase } from './remove-follower.use-case';
import { RespondToFollowRequestUseCase } from './respond-to-follow-request.use-case';
import { UnfollowUserUseCase } from './unfollow-user.use-case';

const [owner, fan, other] = ['1', '2', '3'] as UserId[];

describe('answering and undoing follows', () => {
  let store: InMemoryGraphStore;
  let repo: InMemoryGraphWriteRepository;

  beforeEach(async () => {
    store = new InMemoryGraphStore();
    repo = new InMemoryGraphWriteRepository(store);
    await repo.setPrivacy(owner, true);
    await repo.follow(fan, owner);
  });

  it('answers up to 100 requests in one call, each on its own: a missing one is not_found and the others still go', async () => {
    const respond = new RespondToFollowRequestUseCase(repo);
    await repo.follow(other, owner);
    expect(await respond.executeMany({ ownerId: owner, followerIds: [fan, '99' as UserId, other, fan], action: 'accept' })).toEqual([
      { followerId: fan, status: 'accepted', changed: true },
      { followerId: '99', status: 'not_found', changed: false },
      { followerId: other, status: 'accepted', changed: true },
      { followerId: fan, status: 'accepted', changed: false },
    ]);
    expect(store.events.filter((e) => e.type === 'follow_request_accepted').map((e) => e.followerId)).toEqual([fan, other]);
    expect(await codeOf(respond.executeMany({ ownerId: owner, followerIds: [], action: 'reject' }))).toBe('VALIDATION_FAILED');
    const many = Array.from({ length: 101 }, (_, i) => String(1000 + i) as UserId);
    expect(await codeOf(respond.executeMany({ ownerId: owner, followerIds: many, action: 'reject' }))).toBe('TOO_MANY_IDS');
  });

  it('RespondToFollowRequestUseCase accepts once, repeats quietly, and knows no request from a stranger', async () => {
    const respond = new RespondToFollowRequestUseCase(repo);
    expect(await respond.execute({ ownerId: owner, followerId: fan, action: 'accept' })).toMatchObject({ status: 'accepted', changed: true });
    expect(await respond.execute({ ownerId: owner, followerId: fan, action: 'accept' })).toMatchObject({ status: 'accepted', changed: false });
    await expect(respond.execute({ ownerId: owner, followerId: other, action: 'reject' })).rejects.toBeInstanceOf(RequestNotFoundError);
    // Only the requested account can answer: the requester answering its own request finds nothing.
    await repo.follow(other, owner);
    await expect(respond.execute({ ownerId: other, followerId: owner, action: 'accept' })).rejects.toBeInstanceOf(RequestNotFoundError);
    expect(store.edge(other, owner)?.status).toBe('pending');
  });

  it('UnfollowUserUseCase cancels a request; RemoveFollowerUseCase removes an accepted follower', async () => {
    expect(await new UnfollowUserUseCase(repo).execute({ followerId: fan, followingId: owner })).toEqual({ removed: 'pending' });
    await repo.setPrivacy(owner, false);
    await repo.follow(fan, owner);
    const remove = new RemoveFollowerUseCase(repo);
    expect(await remove.execute({ ownerId: owner, followerId: fan })).toEqual({ removed: true });
    expect(await remove.execute({ ownerId: owner, followerId: fan })).toEqual({ removed: false });
    expect(store.events.filter((e) => e.type === 'unfollow').map((e) => e.type === 'unfollow' && e.reason)).toEqual(['cancelled', 'removed']);
  });
});
