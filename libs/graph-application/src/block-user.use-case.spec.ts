import { SelfBlockError, UserId } from '@graph/domain';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryGraphWriteRepository } from '@graph/domain/testing/in-memory-graph-write.repository';
import { BlockUserUseCase } from './block-user.use-case';
import { UnblockUserUseCase } from './unblock-user.use-case';

const [alice, bob] = ['1', '2'] as UserId[];

describe('BlockUserUseCase and UnblockUserUseCase', () => {
  let store: InMemoryGraphStore;
  let block: BlockUserUseCase;
  let unblock: UnblockUserUseCase;

  beforeEach(() => {
    store = new InMemoryGraphStore();
    const repo = new InMemoryGraphWriteRepository(store);
    block = new BlockUserUseCase(repo);
    unblock = new UnblockUserUseCase(repo);
  });

  it('refuses to block oneself', async () => {
    await expect(block.execute({ blockerId: alice, blockedId: alice })).rejects.toBeInstanceOf(SelfBlockError);
    expect(store.blocks.size).toBe(0);
  });

  it('blocks, removing the follows both ways, and unblocks without restoring them', async () => {
    const repo = new InMemoryGraphWriteRepository(store);
    await repo.follow(alice, bob);
    await repo.follow(bob, alice);
    expect(await block.execute({ blockerId: alice, blockedId: bob })).toEqual({ changed: true, affectedUserIds: [alice, bob] });
    expect(store.edges.size).toBe(0);
    expect(await block.execute({ blockerId: alice, blockedId: bob })).toEqual({ changed: false, affectedUserIds: [] });
    expect(await unblock.execute({ blockerId: alice, blockedId: bob })).toEqual({ changed: true });
    expect(await unblock.execute({ blockerId: alice, blockedId: bob })).toEqual({ changed: false });
    expect(store.edges.size).toBe(0);
  });
});
