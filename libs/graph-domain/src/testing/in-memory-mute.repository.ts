import { KeysetPosition, PageQuery } from '../model/edge-list';
import { Mute, MuteEvent, MuteSettings, isMuteActive, sameMuteSettings } from '../model/mute';
import { UserId, compareUserIds } from '../model/user-id';
import { MuteRepository, MuteSlice, RemovedMutes } from '../ports/mute.repository';

interface StoredMute extends MuteSettings {
  muterId: UserId;
  mutedId: UserId;
  createdAtUs: bigint;
}

function toMute(m: StoredMute): Mute {
  return {
    mutedId: m.mutedId,
    notifications: m.notifications,
    scope: m.scope,
    expiresAt: m.expiresAt,
    createdAt: new Date(Number(m.createdAtUs / 1000n)),
    createdAtUs: m.createdAtUs.toString(),
  };
}

/** Newest first by (created_at, muted id), as the Postgres index is scanned backwards. */
function newestFirst(a: StoredMute, b: StoredMute): number {
  if (a.createdAtUs !== b.createdAtUs) return a.createdAtUs > b.createdAtUs ? -1 : 1;
  return -compareUserIds(a.mutedId, b.mutedId);
}

function isBefore(m: StoredMute, p: KeysetPosition): boolean {
  const at = BigInt(p.createdAtUs);
  return m.createdAtUs < at || (m.createdAtUs === at && compareUserIds(m.mutedId, p.userId) < 0);
}

function removed(mutes: StoredMute[]): RemovedMutes {
  return { count: mutes.length, muterIds: [...new Set(mutes.map((m) => m.muterId))] };
}

/**
 * The mute port in memory, for unit tests; the contract suite runs against it and the Postgres
 * adapter. Events go to `events` in the order the outbox would hold them.
 */
export class InMemoryMuteRepository extends MuteRepository {
  readonly mutes = new Map<string, StoredMute>();
  readonly events: MuteEvent[] = [];
  private clockUs = BigInt(Date.now()) * 1000n;

  async mute(muterId: UserId, mutedId: UserId, settings: MuteSettings): Promise<{ changed: boolean }> {
    const key = `${muterId}>${mutedId}`;
    const existing = this.mutes.get(key);
    const active = existing !== undefined && isMuteActive(existing, new Date());
    if (active && sameMuteSettings(existing, settings)) return { changed: false };
    const createdAtUs = active ? existing.createdAtUs : this.tick();
    this.mutes.set(key, { muterId, mutedId, ...settings, createdAtUs });
    // An expired mute replaced before the sweeper came: its expiry is published first.
    if (existing !== undefined && !active) this.events.push({ type: 'unmute', muterId, mutedId, reason: 'expired' });
    this.events.push({ type: 'mute', muterId, mutedId, ...settings });
    return { changed: true };
  }

  async unmute(muterId: UserId, mutedId: UserId): Promise<{ changed: boolean }> {
    const key = `${muterId}>${mutedId}`;
    const existing = this.mutes.get(key);
    if (!existing) return { changed: false };
    this.mutes.delete(key);
    const active = isMuteActive(existing, new Date());
    this.events.push({ type: 'unmute', muterId, mutedId, reason: active ? 'unmute' : 'expired' });
    return { changed: active };
  }

  async getMutes(muterId: UserId, userIds: UserId[]): Promise<Array<Mute | null>> {
    const now = new Date();
    return userIds.map((id) => {
      const m = this.mutes.get(`${muterId}>${id}`);
      return m && isMuteActive(m, now) ? toMute(m) : null;
    });
  }

  async listMutes(muterId: UserId, page: PageQuery): Promise<MuteSlice> {
    const now = new Date();
    const after = page.after;
    const all = [...this.mutes.values()]
      .filter((m) => m.muterId === muterId && isMuteActive(m, now) && (after === null || isBefore(m, after)))
      .sort(newestFirst);
    const items = all.slice(0, page.limit);
    const last = items[items.length - 1];
    const next = all.length > page.limit && last ? { createdAtUs: last.createdAtUs.toString(), userId: last.mutedId } : null;
    return { items: items.map(toMute), next };
  }

  async sweepExpired(limit: number): Promise<RemovedMutes> {
    const now = new Date();
    const expired = [...this.mutes.entries()].filter(([, m]) => !isMuteActive(m, now)).slice(0, limit);
    for (const [key, m] of expired) {
      this.mutes.delete(key);
      this.events.push({ type: 'unmute', muterId: m.muterId, mutedId: m.mutedId, reason: 'expired' });
    }
    return removed(expired.map(([, m]) => m));
  }

  async eraseUser(userId: UserId): Promise<RemovedMutes> {
    const now = new Date();
    const gone = [...this.mutes.entries()]
      .filter(([, m]) => m.muterId === userId || m.mutedId === userId)
      .sort(([, x], [, y]) => compareUserIds(x.muterId, y.muterId) || compareUserIds(x.mutedId, y.mutedId));
    for (const [key, m] of gone) {
      this.mutes.delete(key);
      if (isMuteActive(m, now)) this.events.push({ type: 'unmute', muterId: m.muterId, mutedId: m.mutedId, reason: 'erased' });
    }
    return removed(gone.map(([, m]) => m));
  }

  private tick(): bigint {
    const now = BigInt(Date.now()) * 1000n;
    this.clockUs = now > this.clockUs ? now : this.clockUs + 1n;
    return this.clockUs;
  }
}
