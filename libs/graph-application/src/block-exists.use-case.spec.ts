import { UserId, parseUserId } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { BlockExistsUseCase } from './block-exists.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');

describe('BlockExistsUseCase', () => {
  const store = new InMemoryGraphStore();
  seedInMemoryGraph(store, { blocks: [{ blocker: id(1), blocked: id(2) }] });
  const useCase = new BlockExistsUseCase(new InMemoryGraphReadRepository(store));

  it('answers either direction for up to 100 pairs and refuses more with TOO_MANY_IDS', async () => {
    await expect(useCase.execute({ pairs: [[id(2), id(1)], [id(1), id(3)]] })).resolves.toEqual([true, false]);
    const hundred = Array.from({ length: 100 }, () => [id(1), id(2)] as const);
    await expect(useCase.execute({ pairs: hundred })).resolves.toHaveLength(100);
    expect(await codeOf(useCase.execute({ pairs: [...hundred, [id(3), id(4)]] }))).toBe('TOO_MANY_IDS');
  });
});
