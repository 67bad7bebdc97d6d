import { GRAPH_LIMITS, UserId, parseUserId } from '@graph/domain';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { InMemoryMuteRepository } from '@graph/domain/testing/in-memory-mute.repository';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { ExportOwnGraphUseCase, ExportedList, ExportedRow } from './export-own-graph.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');
const me = id(1);

async function pagesOf(useCase: ExportOwnGraphUseCase, list: ExportedList): Promise<ExportedRow[][]> {
  const pages: ExportedRow[][] = [];
  for await (const page of useCase.execute({ userId: me, list })) pages.push(page);
  return pages;
}

describe('ExportOwnGraphUseCase', () => {
  const store = new InMemoryGraphStore();
  const mutes = new InMemoryMuteRepository();
  const useCase = new ExportOwnGraphUseCase(new InMemoryGraphReadRepository(store), mutes);
  const many = GRAPH_LIMITS.idsPageMax + 3;
  beforeAll(async () => {
    seedInMemoryGraph(store, {
      edges: [
        ...Array.from({ length: many }, (_, i) => ({ follower: id(1000 + i), following: me, status: 'accepted' as const })),
        { follower: id(9), following: me, status: 'pending' },
        { follower: me, following: id(2), status: 'accepted' },
        { follower: me, following: id(3), status: 'pending' },
      ],
      blocks: [{ blocker: me, blocked: id(4) }],
    });
    await mutes.mute(me, id(5), { notifications: false, scope: 'all', expiresAt: null });
    await mutes.mute(me, id(6), { notifications: true, scope: 'all', expiresAt: new Date(Date.now() - 1000) }); // expired
  });

  it('yields the whole list in keyset pages, newest first, accepted followers only', async () => {
    const pages = await pagesOf(useCase, 'followers');
    expect(pages.map((p) => p.length)).toEqual([GRAPH_LIMITS.idsPageMax, 3]);
    const ids = pages.flat().map((r) => r.userId);
    expect(new Set(ids).size).toBe(many);
    expect(ids[0]).toBe(id(1000 + many - 1));
    expect(ids).not.toContain(id(9));
  });

  it('gives follows with their options, blocks, and active mutes with their notifications setting', async () => {
    expect(await pagesOf(useCase, 'following')).toEqual([[{ list: 'following', userId: id(2), options: { notify: false, reposts: true, languages: null } }]]);
    expect(await pagesOf(useCase, 'blocks')).toEqual([[{ list: 'blocks', userId: id(4) }]]);
    expect(await pagesOf(useCase, 'mutes')).toEqual([[{ list: 'mutes', userId: id(5), notifications: false }]]);
  });
});
