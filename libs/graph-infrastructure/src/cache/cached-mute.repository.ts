import { Mute, MuteRepository, MuteSettings, MuteSlice, PageQuery, RemovedMutes, UserId, isMuteActive } from '@graph/domain';
import { CacheOptions } from '../infrastructure.options';
import { dropWrite } from './cache-maintaining-graph-write.repository';
import { usToDate } from './cached-graph-read.repository';
import { GraphCacheMetrics } from './graph-cache.metrics';
import { CacheOp, GraphCacheStore, cacheKey, jitteredTtlMs } from './graph-cache.store';

/** Most active mutes kept in one mute set entry (a few KB); a muter with more is read from Postgres. */
export const MUTE_SET_CAP = 200;

/** The mute set value of a muter with more than MUTE_SET_CAP active mutes. */
const MUTES_MANY = '*';

/** The muter's mute set entry (in the muter's slot, next to its relationship entries). */
export const muteSet = (muterId: UserId): string => cacheKey('mutes', muterId);
const dropSets = (muterIds: UserId[]): CacheOp[] => muterIds.map((id) => ({ key: muteSet(id), op: 'drop' }));

/**
 * `,<muted id>:<notifications 0|1><scope a|r>:<expires_at ms, empty for never>:<created_at µs>,…`
 * (`,` for none): one substring search finds a muted id (`,<id>:`). Expired mutes are kept as
 * read: each read decides by its own clock.
 */
function encodeMuteSet(mutes: Mute[]): string {
  if (mutes.length > MUTE_SET_CAP) return MUTES_MANY;
  const items = mutes.map((m) => `${m.mutedId}:${m.notifications ? '1' : '0'}${m.scope === 'all' ? 'a' : 'r'}:${m.expiresAt?.getTime() ?? ''}:${m.createdAtUs}`);
  return `,${items.map((i) => `${i},`).join('')}`;
}

/** The active mute of `mutedId` in a mute set value at `now`, or null. */
function muteInSet(value: string, mutedId: UserId, now: Date): Mute | null {
  const at = value.indexOf(`,${mutedId}:`);
  if (at < 0) return null;
  const [, flags, expires, createdAtUs] = value.slice(at + 1, value.indexOf(',', at + 1)).split(':') as [string, string, string, string];
  const mute: Mute = {
    mutedId,
    notifications: flags[0] === '1',
    scope: flags[1] === 'a' ? 'all' : 'reposts',
    expiresAt: expires === '' ? null : new Date(Number(expires)),
    createdAt: usToDate(createdAtUs),
    createdAtUs,
  };
  return isMuteActive(mute, now) ? mute : null;
}

/**
 * Cache-aside for the viewer's mutes, so that a cached relationship costs Redis only: one entry per
 * muter, `graph:{muter}:mutes`, holding all its active mutes (up to MUTE_SET_CAP; beyond, the entry
 * says so and reads go to Postgres). Filled from Postgres with the read's ticket, so a fill never
 * lands over a newer write; every write that changes the set (mute, unmute, the expiry sweep,
 * erasure) drops it after its commit and before it returns. A timed mute is decided at read time
 * from its expires_at, so it reads as unmuted the moment it runs out, whether swept yet or not.
 * Private: the entry is the muter's own and is only read for the muter as viewer.
 */
export class CachedMuteRepository extends MuteRepository {
  constructor(
    private readonly inner: MuteRepository,
    private readonly store: GraphCacheStore,
    private readonly options: CacheOptions,
    private readonly metrics: GraphCacheMetrics,
    /** The clock expiries are decided by (the Postgres adapter uses the database's: they agree within the hosts' skew). */
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
  }

  async mute(muterId: UserId, mutedId: UserId, settings: MuteSettings): Promise<{ changed: boolean }> {
    return dropWrite(this.store, () => this.inner.mute(muterId, mutedId, settings), (o) => (o.changed ? dropSets([muterId]) : []), dropSets([muterId]));
  }

  async unmute(muterId: UserId, mutedId: UserId): Promise<{ changed: boolean }> {
    // An expired mute deleted here answers changed: false, yet it leaves the set too.
    return dropWrite(this.store, () => this.inner.unmute(muterId, mutedId), () => dropSets([muterId]), dropSets([muterId]));
  }

  async sweepExpired(limit: number): Promise<RemovedMutes> {
    // Unknown outcome: nothing to drop, the swept mutes had expired (they read as unmuted in any set).
    return dropWrite(this.store, () => this.inner.sweepExpired(limit), (o) => dropSets(o.muterIds), []);
  }

  async eraseUser(userId: UserId): Promise<RemovedMutes> {
    // Unknown outcome: whose sets held the user is not known, and a repeat finds nothing: all.
    return dropWrite(this.store, () => this.inner.eraseUser(userId), (o) => dropSets(o.muterIds), 'all');
  }

  async listMutes(muterId: UserId, page: PageQuery): Promise<MuteSlice> {
    return this.inner.listMutes(muterId, page);
  }

  async getMutes(muterId: UserId, userIds: UserId[]): Promise<Array<Mute | null>> {
    if (userIds.length === 0) return [];
    let read;
    try {
      read = await this.store.readEntries([muteSet(muterId)]);
    } catch {
      this.metrics.bypass('mutes');
      return this.inner.getMutes(muterId, userIds);
    }
    const { ticket, value: cached } = read.entries[0]!;
    const set = cached ?? (await this.load(muterId, read.epoch, ticket));
    if (cached !== null && set !== MUTES_MANY) this.metrics.hit('mutes');
    else this.metrics.miss('mutes');
    if (set === MUTES_MANY) return this.inner.getMutes(muterId, userIds);
    const now = this.now();
    return userIds.map((id) => muteInSet(set, id, now));
  }

  /** The muter's set from Postgres, stored with the ticket (not awaited, as in CachedGraphReadRepository). */
  private async load(muterId: UserId, epoch: string, ticket: string | null): Promise<string> {
    const all = await this.inner.listMutes(muterId, { limit: MUTE_SET_CAP + 1, after: null });
    const value = encodeMuteSet(all.items);
    if (ticket) {
      const ttlMs = jitteredTtlMs(this.options.ttlSeconds.relationship, this.options.jitter);
      this.store.fillEntries(epoch, [{ key: muteSet(muterId), ticket, value, ttlMs }]).catch(() => undefined);
    }
    return value;
  }
}
