import { MuteRepository, MuteSettings, UserId } from '@graph/domain';
import { MetricsRegistry } from '../../observability/metrics.registry';
import { CachedMuteRepository, MUTE_SET_CAP, muteSet } from '../cached-mute.repository';
import { GraphCacheMetrics } from '../graph-cache.metrics';
import { GraphCacheStore } from '../graph-cache.store';

export interface CachedMutesFixture {
  /** The source of truth behind the cache (Postgres, or the in-memory fake). */
  inner: MuteRepository;
  store: GraphCacheStore;
  newUserId(): UserId;
}

const OPTIONS = { ttlSeconds: { followers: 300, following: 300, relationship: 600, stats: 60, recommendations: 600 }, jitter: 0.1 };
const forever: MuteSettings = { notifications: true, scope: 'all', expiresAt: null };

/**
 * What the viewer's cached mute set must do on any store: every read equals the source of truth
 * right after each write (mute, new settings, unmute, expiry, sweep, erasure), a timed mute stops
 * at its expires_at while still cached, and a fill read before a write never lands after it. Run
 * on the in-process store (unit), on Redis with Postgres and on a Redis Cluster (integration).
 */
export function cachedMutesContract(name: string, setup: () => Promise<CachedMutesFixture>): void {
  describe(`cached mute sets: ${name}`, () => {
    let f: CachedMutesFixture;
    let metrics: GraphCacheMetrics;
    let cached: CachedMuteRepository;
    /** How far ahead of the real clock the cached repository's clock is. */
    let ahead = 0;
    beforeAll(async () => {
      f = await setup();
    });
    beforeEach(() => {
      metrics = new GraphCacheMetrics(new MetricsRegistry({ defaultMetrics: false }));
      ahead = 0;
      cached = new CachedMuteRepository(f.inner, f.store, OPTIONS, metrics, () => new Date(Date.now() + ahead));
    });
    const figures = () => metrics.snapshot().find((x) => x.family === 'mutes')!;
    const same = async (muter: UserId, ids: UserId[]) => expect(await cached.getMutes(muter, ids)).toEqual(await f.inner.getMutes(muter, ids));

    it('reads the mute set once, then from the cache; each write drops it before returning (no stale mute)', async () => {
      const [a, b, c] = [f.newUserId(), f.newUserId(), f.newUserId()];
      const loads = jest.spyOn(f.inner, 'listMutes');
      await same(a, [b, c]);
      await same(a, [b, c]);
      expect(figures()).toMatchObject({ hits: 1, misses: 1 });
      expect(loads).toHaveBeenCalledTimes(1);
      await cached.mute(a, b, forever);
      await same(a, [b, c, b]);
      await cached.mute(a, b, { notifications: false, scope: 'reposts', expiresAt: new Date(Date.now() + 3600_000) });
      await same(a, [b, c]);
      await cached.mute(a, c, forever);
      await same(a, [c, b]);
      await cached.unmute(a, b);
      await same(a, [b, c]);
      expect(await cached.getMutes(a, [b, c])).toEqual([null, expect.objectContaining({ mutedId: c, notifications: true, scope: 'all', expiresAt: null })]);
      loads.mockRestore();
    });

    it('is private: the muted account reads nothing of the mute, cached or not', async () => {
      const [a, b] = [f.newUserId(), f.newUserId()];
      await cached.getMutes(b, [a]);
      await cached.mute(a, b, forever);
      expect(await cached.getMutes(a, [b])).toEqual([expect.objectContaining({ mutedId: b })]);
      expect(await cached.getMutes(b, [a])).toEqual([null]);
    });

    it('a timed mute reads as unmuted the moment it expires, while its set is still cached', async () => {
      const [a, b, c] = [f.newUserId(), f.newUserId(), f.newUserId()];
      await cached.mute(a, b, { ...forever, expiresAt: new Date(Date.now() + 3600_000) });
      await cached.mute(a, c, forever);
      expect((await cached.getMutes(a, [b, c])).map((m) => m?.mutedId ?? null)).toEqual([b, c]);
      const loads = jest.spyOn(f.inner, 'listMutes');
      ahead = 3600_000 + 1;
      expect((await cached.getMutes(a, [b, c])).map((m) => m?.mutedId ?? null)).toEqual([null, c]);
      expect(loads).not.toHaveBeenCalled();
      loads.mockRestore();
    });

    it('the expiry sweep drops the sets it took mutes from', async () => {
      const [a, b, c] = [f.newUserId(), f.newUserId(), f.newUserId()];
      await cached.mute(a, b, { ...forever, expiresAt: new Date(Date.now() - 1000) });
      await cached.mute(a, c, forever);
      await same(a, [b, c]);
      expect((await f.store.readEntries([muteSet(a)])).entries[0]!.value).not.toBeNull();
      let swept = 0;
      for (let n = -1; n !== 0; swept += n) n = (await cached.sweepExpired(1000)).count;
      expect(swept).toBeGreaterThanOrEqual(1);
      expect((await f.store.readEntries([muteSet(a)])).entries[0]!.value).toBeNull();
      await same(a, [b, c]);
    });

    it('erasing a user drops its own set and the sets of those who muted it', async () => {
      const [u, x, y] = [f.newUserId(), f.newUserId(), f.newUserId()];
      await cached.mute(u, x, forever);
      await cached.mute(x, u, forever);
      await cached.mute(y, x, forever);
      for (const m of [u, x, y]) await cached.getMutes(m, [u, x, y]);
      await cached.eraseUser(u);
      expect(await cached.getMutes(u, [x])).toEqual([null]);
      expect(await cached.getMutes(x, [u])).toEqual([null]);
      expect(await cached.getMutes(y, [x])).toEqual([expect.objectContaining({ mutedId: x })]);
    });

    it('refuses a fill read from the source before a write that committed meanwhile', async () => {
      const [a, b] = [f.newUserId(), f.newUserId()];
      const list = f.inner.listMutes.bind(f.inner);
      // The read misses and loads the set; the mute commits (and drops the set) before the fill is sent.
      const racing = jest.spyOn(f.inner, 'listMutes').mockImplementationOnce(async (muter, page) => {
        const before = await list(muter, page);
        await cached.mute(a, b, forever);
        return before;
      });
      expect(await cached.getMutes(a, [b])).toEqual([null]); // read before the mute: right at its time
      racing.mockRestore();
      expect(await cached.getMutes(a, [b])).toEqual([expect.objectContaining({ mutedId: b })]);
      expect(await cached.getMutes(a, [b])).toEqual([expect.objectContaining({ mutedId: b })]);
    });

    it(`a muter with more than ${MUTE_SET_CAP} mutes is read from the source, exactly`, async () => {
      const a = f.newUserId();
      const muted = Array.from({ length: MUTE_SET_CAP + 1 }, () => f.newUserId());
      for (const m of muted) await f.inner.mute(a, m, forever);
      const probe = [muted[0]!, f.newUserId(), muted[MUTE_SET_CAP]!];
      await same(a, probe);
      const direct = jest.spyOn(f.inner, 'getMutes');
      await same(a, probe);
      expect(direct).toHaveBeenCalledTimes(2); // the comparison's own call and the cached repository's
      direct.mockRestore();
      await cached.unmute(a, muted[0]!);
      await same(a, probe);
    });
  });
}
