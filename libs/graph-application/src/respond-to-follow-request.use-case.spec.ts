import { RequestNotFoundError, UserId } from '@graph/domain';
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
