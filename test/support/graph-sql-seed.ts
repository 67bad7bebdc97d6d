import { GraphSeed } from '@graph/domain/testing/graph-read.repository.contract';
import { SqlRunner, rebuildGraphStats } from '@graph/infrastructure';

let clockUs = BigInt(Date.now()) * 1000n;
function tick(): bigint {
  const now = BigInt(Date.now()) * 1000n;
  clockUs = now > clockUs ? now : clockUs + 1n;
  return clockUs;
}

const TS = (param: string) => `(timestamptz 'epoch' + ${param} * interval '1 microsecond')`;

/**
 * Writes a graph straight into Postgres (rows as committed data), then recounts the striped
 * counters of every user touched with the same helper the bulk import and the repair use.
 */
export async function seedGraphSql(db: SqlRunner, graph: GraphSeed): Promise<void> {
  const edges = graph.edges ?? [];
  const blocks = graph.blocks ?? [];
  if (edges.length > 0) {
    await db.query(
      `INSERT INTO follows (follower_id, following_id, status, created_at, updated_at, notify)
       SELECT f, g, s, ${TS('us')}, ${TS('us')}, n
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::boolean[]) AS t(f, g, s, us, n)
       ON CONFLICT (follower_id, following_id) DO UPDATE SET status = EXCLUDED.status, created_at = EXCLUDED.created_at, notify = EXCLUDED.notify`,
      [
        edges.map((e) => e.follower),
        edges.map((e) => e.following),
        edges.map((e) => e.status),
        edges.map((e) => (e.createdAtUs ?? tick()).toString()),
        edges.map((e) => e.notify ?? false),
      ],
    );
  }
  if (blocks.length > 0) {
    await db.query(
      `INSERT INTO blocks (blocker_id, blocked_id, created_at)
       SELECT b, d, ${TS('us')} FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t(b, d, us)
       ON CONFLICT DO NOTHING`,
      [blocks.map((b) => b.blocker), blocks.map((b) => b.blocked), blocks.map((b) => (b.createdAtUs ?? tick()).toString())],
    );
  }
  if (graph.privateUsers?.length) {
    await db.query(
      `INSERT INTO user_settings (user_id, is_private) SELECT unnest($1::bigint[]), true
       ON CONFLICT (user_id) DO UPDATE SET is_private = true, updated_at = now()`,
      [graph.privateUsers],
    );
  }
  if (graph.dismissals?.length) {
    await db.query(
      `INSERT INTO recommendation_dismissals (user_id, dismissed_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`,
      [graph.dismissals.map((d) => d.user), graph.dismissals.map((d) => d.dismissed)],
    );
  }
  for (const p of graph.policies ?? []) {
    await db.query(
      `INSERT INTO user_settings (user_id, is_private, followers_visibility, following_visibility, hide_counts, auto_accept_followed, request_ttl_days)
       VALUES ($1, false, COALESCE($2, 'public'), COALESCE($3, 'public'), COALESCE($4, false), COALESCE($5, false), $6)
       ON CONFLICT (user_id) DO UPDATE SET
         followers_visibility = EXCLUDED.followers_visibility, following_visibility = EXCLUDED.following_visibility,
         hide_counts = EXCLUDED.hide_counts, auto_accept_followed = EXCLUDED.auto_accept_followed, request_ttl_days = EXCLUDED.request_ttl_days`,
      [p.userId, p.followersVisibility ?? null, p.followingVisibility ?? null, p.hideCounts ?? null, p.autoAcceptFollowed ?? null, p.requestTtlDays ?? null],
    );
  }
  const touched = edges.flatMap((e) => [e.follower, e.following]);
  if (touched.length > 0) await rebuildGraphStats(db, touched);
}
