import { randomUUID } from 'node:crypto';
import { BLOCKS_MANY, END_MEMBER, GraphCacheStore, ListPageQuery, RenderedPageQuery, cacheKey, encodeBlockSet, listMember } from '../graph-cache.store';

export interface CacheStoreFixture {
  /** A store with a list window of 5. */
  store: GraphCacheStore;
}

const m = (us: number, id: number): string => listMember(String(us), String(id));

/** What every GraphCacheStore must do; run against the in-process store (unit) and Redis (integration). */
export function graphCacheStoreContract(name: string, setup: () => Promise<CacheStoreFixture>, teardown: () => Promise<void> = async () => undefined): void {
  describe(`GraphCacheStore contract: ${name}`, () => {
    let store: GraphCacheStore;
    beforeAll(async () => {
      store = (await setup()).store;
    });
    afterAll(teardown);
    const key = (family: 'stats' | 'relationship' | 'followers' = 'stats'): string => cacheKey(family, randomUUID());
    /** A list and the guard of its in-place updates: the pair's relationship key seen from the list's owner (one slot). */
    const listWithGuard = (): [string, string] => {
      const owner = randomUUID();
      return [cacheKey('followers', owner), cacheKey('relationship', owner, randomUUID())];
    };

    it('misses with a ticket, fills with it, then hits', async () => {
      const k = key();
      const first = await store.readEntries([k]);
      expect(first.entries[0]).toEqual({ value: null, ticket: expect.any(String) });
      await store.fillEntries(first.epoch, [{ key: k, ticket: first.entries[0]!.ticket!, value: '1:2:3', ttlMs: 60_000 }]);
      expect((await store.readEntries([k])).entries[0]).toEqual({ value: '1:2:3', ticket: null });
    });

    it("reads a viewer's relationships and mute set in one call (its slot), and refuses a mute set fill read before a drop", async () => {
      const viewer = randomUUID();
      const keys = [cacheKey('relationship', viewer, '7'), cacheKey('relationship', viewer, '8'), cacheKey('mutes', viewer)];
      const miss = await store.readEntries(keys);
      expect(miss.entries).toEqual(keys.map(() => ({ value: null, ticket: expect.any(String) })));
      const [r7, r8, mutes] = miss.entries.map((e) => e.ticket!);
      await store.fillEntries(miss.epoch, [
        { key: keys[0]!, ticket: r7!, value: '10000011', ttlMs: 60_000 },
        { key: keys[1]!, ticket: r8!, value: '00000011', ttlMs: 60_000 },
      ]);
      // A mute commits and drops the set after the read above: its fill (the set before the mute) is refused.
      await store.finishWrite({ epoch: null, keys: [] }, [{ key: keys[2]!, op: 'drop' }]);
      await store.fillEntries(miss.epoch, [{ key: keys[2]!, ticket: mutes!, value: ',', ttlMs: 60_000 }]);
      const again = await store.readEntries(keys);
      expect(again.entries.map((e) => e.value)).toEqual(['10000011', '00000011', null]);
      await store.fillEntries(again.epoch, [{ key: keys[2]!, ticket: again.entries[2]!.ticket!, value: ',8:1a::1700000000000000,', ttlMs: 60_000 }]);
      expect((await store.readEntries(keys)).entries.map((e) => e.value)).toEqual(['10000011', '00000011', ',8:1a::1700000000000000,']);
    });

    it('refuses a fill whose ticket predates a write (no stale set over a newer invalidation)', async () => {
      const k = key();
      const read = await store.readEntries([k]);
      const w = await store.beginWrite([k]);
      await store.finishWrite(w, [{ key: k, op: 'drop' }]);
      await store.fillEntries(read.epoch, [{ key: k, ticket: read.entries[0]!.ticket!, value: 'stale', ttlMs: 60_000 }]);
      expect((await store.readEntries([k])).entries[0]!.value).toBeNull();
    });

    it('refuses a fill while a write is announced, and gives no ticket then', async () => {
      const k = key();
      const read = await store.readEntries([k]);
      const w = await store.beginWrite([k]);
      expect((await store.readEntries([k])).entries[0]).toEqual({ value: null, ticket: null });
      await store.fillEntries(read.epoch, [{ key: k, ticket: read.entries[0]!.ticket!, value: 'stale', ttlMs: 60_000 }]);
      await store.finishWrite(w, []);
      const after = await store.readEntries([k]);
      expect(after.entries[0]!.value).toBeNull();
      expect(after.entries[0]!.ticket).not.toBeNull();
    });

    it('a drop-only write (not announced) also invalidates tickets handed out before it', async () => {
      const k = key();
      const read = await store.readEntries([k]);
      await store.finishWrite({ epoch: null, keys: [] }, [{ key: k, op: 'drop' }]);
      await store.fillEntries(read.epoch, [{ key: k, ticket: read.entries[0]!.ticket!, value: 'stale', ttlMs: 60_000 }]);
      expect((await store.readEntries([k])).entries[0]!.value).toBeNull();
    });

    it('updates counters in place for an announced write, and drops them when not announced', async () => {
      const a = key();
      const b = key();
      for (const k of [a, b]) {
        const r = await store.readEntries([k]);
        await store.fillEntries(r.epoch, [{ key: k, ticket: r.entries[0]!.ticket!, value: '10:5:0', ttlMs: 60_000 }]);
      }
      const w = await store.beginWrite([a]);
      await store.finishWrite(w, [
        { key: a, op: 'stats', delta: [1, 0, 0] },
        { key: b, op: 'stats', delta: [1, 0, 0] },
      ]);
      const read = await store.readEntries([a, b]);
      expect(read.entries.map((e) => e.value)).toEqual(['11:5:0', null]);
      // dropIfPending: a cached pending count that is not 0 makes the delta ambiguous
      const c = key();
      const r = await store.readEntries([c]);
      await store.fillEntries(r.epoch, [{ key: c, ticket: r.entries[0]!.ticket!, value: '1:1:2', ttlMs: 60_000 }]);
      const w2 = await store.beginWrite([c]);
      await store.finishWrite(w2, [{ key: c, op: 'stats', delta: [1, 0, 0], dropIfPending: true }]);
      expect((await store.readEntries([c])).entries[0]!.value).toBeNull();
    });

    it('reads list pages strictly after a member, newest first, with the end marked', async () => {
      const k = key('followers');
      const miss = await store.readList(k, null, 3);
      expect(miss).toMatchObject({ kind: 'miss', ticket: expect.any(String) });
      if (miss.kind !== 'miss') throw new Error('expected a miss');
      const members = [m(500, 1), m(400, 9), m(400, 2), m(300, 7)];
      await store.fillList(miss.epoch, k, miss.ticket!, members, true, 60_000);
      expect(await store.readList(k, null, 3)).toMatchObject({ kind: 'hit', members: members.slice(0, 3) });
      expect(await store.readList(k, m(400, 9), 10)).toMatchObject({ kind: 'hit', members: [m(400, 2), m(300, 7), END_MEMBER] });
      expect(await store.readList(k, m(300, 7), 10)).toMatchObject({ kind: 'hit', members: [END_MEMBER] });
    });

    it('keeps a window of the newest members in place, and refuses members older than a window', async () => {
      const [k, guard] = listWithGuard();
      const miss = await store.readList(k, null, 1);
      if (miss.kind !== 'miss') throw new Error('expected a miss');
      await store.fillList(miss.epoch, k, miss.ticket!, [m(50, 5), m(40, 4), m(30, 3), m(20, 2), m(10, 1)], false, 60_000);
      const w = await store.beginWrite([k, guard]);
      await store.finishWrite(w, [{ key: k, op: 'zadd', member: m(60, 6), guard }]);
      expect(await store.readList(k, null, 10)).toMatchObject({ kind: 'hit', members: [m(60, 6), m(50, 5), m(40, 4), m(30, 3), m(20, 2)] });
      const w2 = await store.beginWrite([k, guard]);
      await store.finishWrite(w2, [{ key: k, op: 'zadd', member: m(5, 9), guard }]);
      const w3 = await store.beginWrite([k, guard]);
      await store.finishWrite(w3, [{ key: k, op: 'zrem', userId: '4', guard }]);
      expect(await store.readList(k, null, 10)).toMatchObject({ kind: 'hit', members: [m(60, 6), m(50, 5), m(30, 3), m(20, 2)] });
    });

    it('drops a window that removals wore down below half its size (the next read refills it)', async () => {
      const [k, guard] = listWithGuard();
      const miss = await store.readList(k, null, 1);
      if (miss.kind !== 'miss') throw new Error('expected a miss');
      await store.fillList(miss.epoch, k, miss.ticket!, [m(50, 5), m(40, 4), m(30, 3), m(20, 2), m(10, 1)], false, 60_000);
      for (const id of ['5', '4']) {
        const w = await store.beginWrite([k, guard]);
        await store.finishWrite(w, [{ key: k, op: 'zrem', userId: id, guard }]);
      }
      expect(await store.readList(k, null, 10)).toMatchObject({ kind: 'hit', members: [m(30, 3), m(20, 2), m(10, 1)] });
      const w = await store.beginWrite([k, guard]);
      await store.finishWrite(w, [{ key: k, op: 'zrem', userId: '3', guard }]);
      expect(await store.readList(k, null, 10)).toMatchObject({ kind: 'miss', ticket: expect.any(String) });
    });

    it('a complete list that outgrows the window becomes a window', async () => {
      const [k, guard] = listWithGuard();
      const miss = await store.readList(k, null, 1);
      if (miss.kind !== 'miss') throw new Error('expected a miss');
      await store.fillList(miss.epoch, k, miss.ticket!, [m(40, 4), m(30, 3), m(20, 2), m(10, 1)], true, 60_000);
      for (const [us, id] of [[50, 5], [60, 6]] as const) {
        const w = await store.beginWrite([k, guard]);
        await store.finishWrite(w, [{ key: k, op: 'zadd', member: m(us, id), guard }]);
      }
      expect(await store.readList(k, null, 10)).toMatchObject({ kind: 'hit', members: [m(60, 6), m(50, 5), m(40, 4), m(30, 3), m(20, 2)] });
    });

    it('drops a list instead of updating it when two writes on the same pair overlap', async () => {
      const [k, guard] = listWithGuard();
      const miss = await store.readList(k, null, 1);
      if (miss.kind !== 'miss') throw new Error('expected a miss');
      await store.fillList(miss.epoch, k, miss.ticket!, [m(10, 1)], true, 60_000);
      const first = await store.beginWrite([k, guard]);
      const second = await store.beginWrite([k, guard]);
      // The later write finishes first: applying them in this order could resurrect the edge.
      await store.finishWrite(second, [{ key: k, op: 'zrem', userId: '2', guard }]);
      await store.finishWrite(first, [{ key: k, op: 'zadd', member: m(20, 2), guard }]);
      expect((await store.readList(k, null, 10)).kind).toBe('miss');
    });

    it('reads a list page in one call: settings, block set, counters and members, each with its own ticket', async () => {
      const owner = randomUUID();
      const q = (viewerId: string, after: string | null = null): ListPageQuery => ({
        list: cacheKey('followers', owner),
        stats: cacheKey('stats', owner),
        settings: cacheKey('settings', owner),
        blocks: cacheKey('blocks', owner),
        viewerId,
        after,
        count: 2,
      });
      const miss = await store.readListPage(q('7'));
      expect(miss).toEqual({
        epoch: expect.any(String),
        settings: { value: null, ticket: expect.any(String) },
        blocks: { blocked: null, ticket: expect.any(String) },
        stats: { value: null, ticket: expect.any(String) },
        list: { kind: 'miss', ticket: expect.any(String) },
      });
      await store.fillEntries(miss.epoch, [
        { key: cacheKey('settings', owner), ticket: miss.settings.ticket!, value: '0', ttlMs: 60_000 },
        { key: cacheKey('blocks', owner), ticket: miss.blocks.ticket!, value: encodeBlockSet(['17', '7']), ttlMs: 60_000 },
        { key: cacheKey('stats', owner), ticket: miss.stats.ticket!, value: '3:1:0', ttlMs: 60_000 },
      ]);
      if (miss.list.kind !== 'miss') throw new Error('expected a miss');
      await store.fillList(miss.epoch, cacheKey('followers', owner), miss.list.ticket!, [m(30, 3), m(20, 2), m(10, 1)], true, 60_000);
      const hit = await store.readListPage(q('1'));
      expect(hit).toEqual({
        epoch: miss.epoch,
        settings: { value: '0', ticket: null },
        blocks: { blocked: 'no', ticket: null },
        stats: { value: '3:1:0', ticket: null },
        list: { kind: 'hit', members: [m(30, 3), m(20, 2)] },
      });
      // Whole ids only: 7 is blocked, 1 and 71 are not.
      expect((await store.readListPage(q('7'))).blocks.blocked).toBe('yes');
      expect((await store.readListPage(q('71'))).blocks.blocked).toBe('no');
      expect((await store.readListPage(q('1', m(20, 2)))).list).toEqual({ kind: 'hit', members: [m(10, 1), END_MEMBER] });
      // The viewer is the owner: nothing to check.
      expect(await store.readListPage({ ...q('7'), settings: null, blocks: null })).toMatchObject({ settings: { value: '0' }, blocks: { blocked: 'no' } });
      // A dropped block set misses again, and a fill from before the drop is refused.
      const stale = await store.readListPage(q('9'));
      await store.drop([cacheKey('blocks', owner)]);
      const again = await store.readListPage(q('9'));
      expect(again.blocks).toEqual({ blocked: null, ticket: expect.any(String) });
      await store.fillEntries(stale.epoch, [{ key: cacheKey('blocks', owner), ticket: stale.blocks.ticket ?? 'none', value: ',', ttlMs: 60_000 }]);
      await store.fillEntries(again.epoch, [{ key: cacheKey('blocks', owner), ticket: again.blocks.ticket!, value: BLOCKS_MANY, ttlMs: 60_000 }]);
      expect((await store.readListPage(q('9'))).blocks.blocked).toBe('many');
    });

    describe('rendered pages', () => {
      const pageOf = (owner: string, viewerId = owner): RenderedPageQuery => ({
        page: cacheKey('page', owner, 'followers', '20'),
        list: cacheKey('followers', owner),
        stats: cacheKey('stats', owner),
        settings: viewerId === owner ? null : cacheKey('settings', owner),
        blocks: viewerId === owner ? null : cacheKey('blocks', owner),
        viewerId,
      });
      const fill = async (q: RenderedPageQuery, body: string): Promise<boolean> => {
        const read = await store.readRenderedPage(q);
        if (read.kind !== 'miss' || read.stamp === null) return false;
        return store.fillRenderedPage({ epoch: read.epoch, page: q.page, list: q.list, stats: q.stats, stamp: read.stamp, body, ttlMs: 60_000 });
      };
      const fillEntry = async (k: string, value: string): Promise<void> => {
        const r = await store.readEntries([k]);
        await store.fillEntries(r.epoch, [{ key: k, ticket: r.entries[0]!.ticket!, value, ttlMs: 60_000 }]);
      };

      it('serves a rendering while its list and counters keep the versions it was rendered at', async () => {
        const q = pageOf(randomUUID());
        expect(await store.readRenderedPage(q)).toEqual({ kind: 'miss', epoch: expect.any(String), stamp: expect.any(String) });
        expect(await fill(q, '{"followers":[]}')).toBe(true);
        expect(await store.readRenderedPage(q)).toEqual({ kind: 'hit', body: '{"followers":[]}' });
        // A write on the counters (or the list) makes it stale at once: announced, then finished.
        const w = await store.beginWrite([q.stats]);
        expect(await store.readRenderedPage(q)).toEqual({ kind: 'miss', epoch: expect.any(String), stamp: null });
        await store.finishWrite(w, [{ key: q.stats, op: 'stats', delta: [1, 0, 0] }]);
        expect(await store.readRenderedPage(q)).toMatchObject({ kind: 'miss', stamp: expect.any(String) });
        const d = await store.beginWrite([q.list]);
        await store.finishWrite(d, [{ key: q.list, op: 'drop' }]);
        expect((await store.readRenderedPage(q)).kind).toBe('miss');
      });

      it('refuses a rendering whose reads a write may have overtaken (stale set after an invalidation)', async () => {
        for (const source of ['list', 'stats'] as const) {
          const q = pageOf(randomUUID());
          const read = await store.readRenderedPage(q);
          if (read.kind !== 'miss' || !read.stamp) throw new Error('expected a miss with a stamp');
          const stored = (stamp: string) => store.fillRenderedPage({ epoch: read.epoch, page: q.page, list: q.list, stats: q.stats, stamp, body: 'stale', ttlMs: 60_000 });
          const w = await store.beginWrite([q[source]]);
          expect(await stored(read.stamp)).toBe(false);
          await store.finishWrite(w, []);
          expect(await stored(read.stamp)).toBe(false);
          expect((await store.readRenderedPage(q)).kind).toBe('miss');
        }
        // Admin eviction and a new epoch too.
        const owner = randomUUID();
        const q = pageOf(owner);
        expect(await fill(q, 'page')).toBe(true);
        await store.drop([q.list]);
        expect((await store.readRenderedPage(q)).kind).toBe('miss');
        expect(await fill(q, 'page')).toBe(true);
        const before = await store.readRenderedPage(q);
        expect(before.kind).toBe('hit');
        const stale = await store.readRenderedPage({ ...q, page: cacheKey('page', owner, 'followers', '21') });
        await store.invalidateAll();
        expect((await store.readRenderedPage(q)).kind).toBe('miss');
        if (stale.kind !== 'miss' || !stale.stamp) throw new Error('expected a miss with a stamp');
        expect(await store.fillRenderedPage({ epoch: stale.epoch, page: q.page, list: q.list, stats: q.stats, stamp: stale.stamp, body: 'old', ttlMs: 60_000 })).toBe(false);
      });

      it('gives a rendering only to viewers whom the cached settings and block set let in', async () => {
        const owner = randomUUID();
        expect(await fill(pageOf(owner), 'page')).toBe(true);
        const as = (viewer: string) => store.readRenderedPage(pageOf(owner, viewer)).then((r) => r.kind);
        // Settings and block set not cached: nothing is known about the viewer.
        expect(await as('7')).toBe('miss');
        await fillEntry(cacheKey('settings', owner), '0');
        expect(await as('7')).toBe('miss');
        await fillEntry(cacheKey('blocks', owner), encodeBlockSet(['17', '7']));
        expect(await as('7')).toBe('miss');
        expect(await as('71')).toBe('hit');
        expect(await as(owner)).toBe('hit');
        await store.drop([cacheKey('blocks', owner)]);
        await fillEntry(cacheKey('blocks', owner), BLOCKS_MANY);
        expect(await as('71')).toBe('miss');
        await store.drop([cacheKey('blocks', owner), cacheKey('settings', owner)]);
        await fillEntry(cacheKey('blocks', owner), encodeBlockSet([]));
        await fillEntry(cacheKey('settings', owner), '1');
        expect(await as('71')).toBe('miss');
        expect(await as(owner)).toBe('hit');
      });
    });

    it('drop and invalidateAll forget entries', async () => {
      const a = key();
      const b = key();
      for (const k of [a, b]) {
        const r = await store.readEntries([k]);
        await store.fillEntries(r.epoch, [{ key: k, ticket: r.entries[0]!.ticket!, value: '0:0:0', ttlMs: 60_000 }]);
      }
      await store.drop([a]);
      expect((await store.readEntries([a, b])).entries.map((e) => e.value)).toEqual([null, '0:0:0']);
      const before = await store.readEntries([b]);
      await store.invalidateAll();
      const after = await store.readEntries([b]);
      expect(after.entries[0]!.value).toBeNull();
      // a fill started before the flush cannot land after it
      await store.fillEntries(before.epoch, [{ key: b, ticket: after.entries[0]!.ticket!, value: 'stale', ttlMs: 60_000 }]);
      expect((await store.readEntries([b])).entries[0]!.value).toBeNull();
    });
  });
}
