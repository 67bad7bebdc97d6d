import { DataSource, EntityManager } from 'typeorm';
import { KeysetPosition, Mute, MuteEvent, MuteRepository, MuteScope, MuteSettings, MuteSlice, PageQuery, RemovedMutes, UserId, compareUserIds } from '@graph/domain';
import { OutboxWakeup, insertOutboxRows, toMuteOutboxRow, wroteOutboxEvents } from './outbox';
import { epochMicrosSql, timestampFromMicrosSql } from './sql-runner';

/** A mute row still in force (an expired row reads as no mute, whether swept yet or not). */
const ACTIVE = `(expires_at IS NULL OR expires_at > now())`;

interface MuteRow {
  muted_id: UserId;
  notifications: boolean;
  scope: MuteScope;
  expires_at: Date | null;
  created_at: Date;
  created_at_us: string;
}

const MUTE_COLUMNS = `muted_id::text AS muted_id, notifications, scope, expires_at, created_at, ${epochMicrosSql('created_at')} AS created_at_us`;

function toMute(r: MuteRow): Mute {
  return { mutedId: r.muted_id, notifications: r.notifications, scope: r.scope, expiresAt: r.expires_at, createdAt: r.created_at, createdAtUs: r.created_at_us };
}

function removed(rows: { muter_id: UserId }[]): RemovedMutes {
  return { count: rows.length, muterIds: [...new Set(rows.map((r) => r.muter_id))] };
}

/** Rows of any statement, DELETE ... RETURNING included (TypeORM shapes its result differently). */
async function rows<T>(m: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result = await m.queryRunner!.query(sql, params, true);
  return (result.records ?? []) as T[];
}

/**
 * The mute port on PostgreSQL. Each write is one statement on the pair's row plus its graph.mute
 * outbox row, in one transaction; the row lock of INSERT ... ON CONFLICT / DELETE orders concurrent
 * writes on one pair, and each statement decides "changed" from the row it locked.
 */
export class TypeOrmMuteRepository extends MuteRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly wakeup?: OutboxWakeup,
  ) {
    super();
  }

  async mute(muterId: UserId, mutedId: UserId, settings: MuteSettings): Promise<{ changed: boolean }> {
    return this.transaction(async (m) => {
      // Same settings on an active mute: no update, no event. An expired row is a new mute (new created_at).
      // The clock is read once, in VALUES: the update compares with EXCLUDED.updated_at (no now() in
      // ON CONFLICT DO UPDATE or CASE, so the statement stays shardable by muter_id, docs/scaling.md).
      // An expired row replaced is reported (an update, xmax set, whose created_at took the call's
      // clock): the sweeper will not see it, so its expiry is published here, before the new mute.
      const written = await rows<{ replaced_expired: boolean }>(
        m,
        `INSERT INTO mutes AS t (muter_id, muted_id, notifications, scope, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, now(), now())
         ON CONFLICT (muter_id, muted_id) DO UPDATE SET
           notifications = EXCLUDED.notifications, scope = EXCLUDED.scope, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at,
           created_at = CASE WHEN t.expires_at IS NOT NULL AND t.expires_at <= EXCLUDED.updated_at THEN EXCLUDED.created_at ELSE t.created_at END
          WHERE NOT ((t.expires_at IS NULL OR t.expires_at > EXCLUDED.updated_at)
                     AND t.notifications = EXCLUDED.notifications AND t.scope = EXCLUDED.scope
                     AND t.expires_at IS NOT DISTINCT FROM EXCLUDED.expires_at)
         RETURNING (t.xmax::text <> '0' AND t.created_at = t.updated_at) AS replaced_expired`,
        [muterId, mutedId, settings.notifications, settings.scope, settings.expiresAt],
      );
      if (written.length === 0) return { changed: false };
      const expired: MuteEvent[] = written[0]!.replaced_expired ? [{ type: 'unmute', muterId, mutedId, reason: 'expired' }] : [];
      await this.record(m, ...expired, { type: 'mute', muterId, mutedId, ...settings });
      return { changed: true };
    });
  }

  async unmute(muterId: UserId, mutedId: UserId): Promise<{ changed: boolean }> {
    return this.transaction(async (m) => {
      const [deleted] = await rows<{ active: boolean }>(
        m,
        `DELETE FROM mutes WHERE muter_id = $1 AND muted_id = $2 RETURNING ${ACTIVE} AS active`,
        [muterId, mutedId],
      );
      if (!deleted) return { changed: false };
      await this.record(m, { type: 'unmute', muterId, mutedId, reason: deleted.active ? 'unmute' : 'expired' });
      return { changed: deleted.active };
    });
  }

  async getMutes(muterId: UserId, userIds: UserId[]): Promise<Array<Mute | null>> {
    if (userIds.length === 0) return [];
    const found: MuteRow[] = await this.dataSource.query(
      `SELECT ${MUTE_COLUMNS} FROM mutes WHERE muter_id = $1 AND muted_id = ANY($2::bigint[]) AND ${ACTIVE}`,
      [muterId, [...new Set(userIds)]],
    );
    const byId = new Map(found.map((r) => [r.muted_id, toMute(r)]));
    return userIds.map((id) => byId.get(id) ?? null);
  }

  async listMutes(muterId: UserId, page: PageQuery): Promise<MuteSlice> {
    const after = page.after;
    const found: MuteRow[] = await this.dataSource.query(
      `SELECT ${MUTE_COLUMNS} FROM mutes
        WHERE muter_id = $1 AND ${ACTIVE}
          AND ($2::bigint IS NULL OR (created_at, muted_id) < (${timestampFromMicrosSql('$2')}, $3::bigint))
        ORDER BY created_at DESC, muted_id DESC
        LIMIT $4`,
      [muterId, after?.createdAtUs ?? null, after?.userId ?? null, page.limit + 1],
    );
    const items = found.slice(0, page.limit).map(toMute);
    const last = items[items.length - 1];
    const next: KeysetPosition | null = found.length > page.limit && last ? { createdAtUs: last.createdAtUs, userId: last.mutedId } : null;
    return { items, next };
  }

  async sweepExpired(limit: number): Promise<RemovedMutes> {
    return this.transaction(async (m) => {
      // No locking read (it would lock rows of every muter's shard): concurrent sweepers may pick the
      // same rows, and the DELETE's recheck of expires_at on the row it locked keeps one deleter (and
      // one event) per row, and leaves a pair re-muted meanwhile alone.
      const swept = await rows<{ muter_id: UserId; muted_id: UserId }>(
        m,
        `DELETE FROM mutes WHERE expires_at <= now() AND (muter_id, muted_id) IN (
           SELECT muter_id, muted_id FROM mutes WHERE expires_at <= now() ORDER BY expires_at LIMIT $1)
         RETURNING muter_id::text AS muter_id, muted_id::text AS muted_id`,
        [limit],
      );
      const occurredAt = new Date();
      await insertOutboxRows(
        m,
        swept.map((r) => toMuteOutboxRow({ type: 'unmute', muterId: r.muter_id, mutedId: r.muted_id, reason: 'expired' }, occurredAt)),
      );
      return removed(swept);
    });
  }

  async eraseUser(userId: UserId): Promise<RemovedMutes> {
    return this.transaction(async (m) => {
      const gone = await rows<{ muter_id: UserId; muted_id: UserId; active: boolean }>(
        m,
        `DELETE FROM mutes WHERE muter_id = $1 OR muted_id = $1
         RETURNING muter_id::text AS muter_id, muted_id::text AS muted_id, ${ACTIVE} AS active`,
        [userId],
      );
      const occurredAt = new Date();
      const ended = gone
        .filter((r) => r.active)
        .sort((x, y) => compareUserIds(x.muter_id, y.muter_id) || compareUserIds(x.muted_id, y.muted_id))
        .map((r) => toMuteOutboxRow({ type: 'unmute', muterId: r.muter_id, mutedId: r.muted_id, reason: 'erased' }, occurredAt));
      await insertOutboxRows(m, ended);
      return removed(gone);
    });
  }

  private async record(m: EntityManager, ...events: MuteEvent[]): Promise<void> {
    const occurredAt = new Date();
    await insertOutboxRows(m, events.map((event) => toMuteOutboxRow(event, occurredAt)));
  }

  private async transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    let manager: EntityManager | undefined;
    const result = await this.dataSource.transaction((m) => {
      manager = m;
      return work(m);
    });
    if (manager && wroteOutboxEvents(manager)) this.wakeup?.notify();
    return result;
  }
}
