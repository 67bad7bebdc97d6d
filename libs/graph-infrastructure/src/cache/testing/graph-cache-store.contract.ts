import { randomUUID } from 'node:crypto';
import { END_MEMBER, GraphCacheStore, cacheKey, listMember } from '../graph-cache.store';

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

    it('misses with a ticket, fills with it, then hits', async () => {
      const k = key();
      const first = await store.readEntries([k]);
      expect(first.entries[0]).toEqual({ value: null, ticket: expect.any(String) });
      await store.fillEntries(first.epoch, [{ key: k, ticket: first.entries[0]!.ticket!, value: '1:2:3', ttlMs: 60_000 }]);
      expect((await store.readEntries([k])).entries[0]).toEqual({ value: '1:2:3', ticket: null });
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
      const k = key('followers');
      const guard = key('relationship');
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

    it('a complete list that outgrows the window becomes a window', async () => {
      const k = key('followers');
      const guard = key('relationship');
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
      const k = key('followers');
      const guard = key('relationship');
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
