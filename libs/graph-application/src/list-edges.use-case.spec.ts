import { CursorCodec, EdgeList, UserId, parseUserId } from '@graph/domain';
import { codeOf } from '@graph/domain/testing/error-code';
import { InMemoryGraphReadRepository } from '@graph/domain/testing/in-memory-graph-read.repository';
import { InMemoryGraphStore } from '@graph/domain/testing/in-memory-graph.store';
import { seedInMemoryGraph } from '@graph/domain/testing/seed-in-memory-graph';
import { ListEdgesUseCase } from './list-edges.use-case';

const id = (n: number): UserId => parseUserId(n, 'id');
const [OWNER, FAN, STRANGER, PRIVATE_USER, PRIVATE_FAN, PENDING_FAN, BLOCKED_FAN, OTHER] = [1, 2, 3, 4, 5, 6, 7, 8].map(id);

describe('ListEdgesUseCase', () => {
  let store: InMemoryGraphStore;
  let useCase: ListEdgesUseCase;
  const cursors = new CursorCodec('unit-secret');

  beforeEach(() => {
    store = new InMemoryGraphStore();
    useCase = new ListEdgesUseCase(new InMemoryGraphReadRepository(store), cursors);
    const many = Array.from({ length: 45 }, (_, i) => id(1000 + i));
    seedInMemoryGraph(store, {
      edges: [
        ...many.map((u) => ({ follower: u, following: OWNER!, status: 'accepted' as const })),
        { follower: FAN!, following: OWNER!, status: 'accepted' },
        { follower: PRIVATE_FAN!, following: PRIVATE_USER!, status: 'accepted' },
        { follower: PENDING_FAN!, following: PRIVATE_USER!, status: 'pending' },
        { follower: PRIVATE_USER!, following: OWNER!, status: 'accepted' },
        { follower: BLOCKED_FAN!, following: OWNER!, status: 'pending' },
      ],
      blocks: [{ blocker: PRIVATE_USER!, blocked: BLOCKED_FAN! }, { blocker: OWNER!, blocked: OTHER! }],
      privateUsers: [PRIVATE_USER!],
    });
  });

  it('pages a list with the default size, a bound cursor and the total', async () => {
    const list: EdgeList = { kind: 'followers', userId: OWNER! };
    const first = await useCase.execute({ viewerId: STRANGER!, list });
    expect(first.items).toHaveLength(20);
    expect(first.items[0]!.userId).toBe(PRIVATE_USER);
    expect(first.total).toBe(47);
    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await useCase.execute({ viewerId: STRANGER!, list, cursor, limit: 20 });
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(47);
    expect(new Set(seen.map((s) => s.userId)).size).toBe(47);
  });

  it('refuses bad limits and cursors of other lists or tampered ones', async () => {
    const list: EdgeList = { kind: 'followers', userId: OWNER! };
    for (const limit of [0, 101, -1, 1.5, Number.NaN]) {
      expect(await codeOf(useCase.execute({ viewerId: STRANGER!, list, limit }))).toBe('VALIDATION_FAILED');
    }
    expect((await useCase.execute({ viewerId: STRANGER!, list, limit: 100 })).items).toHaveLength(47);
    const page = await useCase.execute({ viewerId: STRANGER!, list, limit: 1 });
    const other: EdgeList = { kind: 'following', userId: OWNER! };
    expect(await codeOf(useCase.execute({ viewerId: OWNER!, list: other, cursor: page.nextCursor }))).toBe('INVALID_CURSOR');
    expect(await codeOf(useCase.execute({ viewerId: STRANGER!, list, cursor: page.nextCursor!.slice(0, -2) + 'zz' }))).toBe('INVALID_CURSOR');
    expect(await codeOf(useCase.execute({ viewerId: STRANGER!, list, cursor: 'garbage' }))).toBe('INVALID_CURSOR');
    expect((await useCase.execute({ viewerId: STRANGER!, list, cursor: '' })).items).toHaveLength(20);
  });

  it.each<[string, EdgeList]>([
    ['followers', { kind: 'followers', userId: PRIVATE_USER! }],
    ['following', { kind: 'following', userId: PRIVATE_USER! }],
    ['mutuals', { kind: 'mutuals', userId: PRIVATE_USER! }],
    ['known followers', { kind: 'known_followers', viewerId: STRANGER!, userId: PRIVATE_USER! }],
    ['common followers (second user private)', { kind: 'common_followers', userA: OWNER!, userB: PRIVATE_USER! }],
  ])('hides the %s of a private account from strangers and pending requesters only', async (_name, list) => {
    const as = (viewer: UserId): EdgeList => (list.kind === 'known_followers' ? { ...list, viewerId: viewer } : list);
    expect(await codeOf(useCase.execute({ viewerId: STRANGER!, list: as(STRANGER!) }))).toBe('PRIVATE_ACCOUNT');
    expect(await codeOf(useCase.execute({ viewerId: PENDING_FAN!, list: as(PENDING_FAN!) }))).toBe('PRIVATE_ACCOUNT');
    expect(await codeOf(useCase.execute({ viewerId: PRIVATE_FAN!, list: as(PRIVATE_FAN!) }))).toBe('ok');
    expect(await codeOf(useCase.execute({ viewerId: PRIVATE_USER!, list: as(PRIVATE_USER!) }))).toBe('ok');
  });

  it('answers BLOCKED to a user the owner blocks, but shows the blocker what it blocks', async () => {
    expect(await codeOf(useCase.execute({ viewerId: BLOCKED_FAN!, list: { kind: 'followers', userId: PRIVATE_USER! } }))).toBe('BLOCKED');
    expect(await codeOf(useCase.execute({ viewerId: OTHER!, list: { kind: 'following', userId: OWNER! } }))).toBe('BLOCKED');
    expect(await codeOf(useCase.execute({ viewerId: OTHER!, list: { kind: 'common_followers', userA: FAN!, userB: OWNER! } }))).toBe('BLOCKED');
    expect(await codeOf(useCase.execute({ viewerId: OWNER!, list: { kind: 'followers', userId: OTHER! } }))).toBe('ok');
  });

  it('shows requests and blocks to their owner only', async () => {
    const incoming = await useCase.execute({ viewerId: OWNER!, list: { kind: 'incoming_requests', userId: OWNER! } });
    expect(incoming.items.map((i) => i.userId)).toEqual([BLOCKED_FAN]);
    expect(incoming.total).toBe(1);
    const blocks = await useCase.execute({ viewerId: OWNER!, list: { kind: 'blocks', userId: OWNER! } });
    expect(blocks.items.map((i) => i.userId)).toEqual([OTHER]);
    for (const kind of ['incoming_requests', 'outgoing_requests', 'blocks'] as const) {
      expect(await codeOf(useCase.execute({ viewerId: STRANGER!, list: { kind, userId: OWNER! } }))).toBe('FORBIDDEN');
    }
    expect(await codeOf(useCase.execute({ viewerId: STRANGER!, list: { kind: 'known_followers', viewerId: FAN!, userId: OWNER! } }))).toBe(
      'FORBIDDEN',
    );
  });
});
