import {
  DEFAULT_USER_SETTINGS,
  DetailedEdgeSlice,
  EdgeDetailList,
  EdgeList,
  EdgeTimeRange,
  EdgeSlice,
  GraphReadRepository,
  ListPageRead,
  OwnedEdgeList,
  GraphStats,
  KnownFollowersSummary,
  ListPageSources,
  ListPageSourcesQuery,
  PageQuery,
  Recommendation,
  RecommendationBounds,
  Relationship,
  UserId,
  UserSettings,
  describeRelationship,
  listAccess,
  listVisibilityOf,
} from '@graph/domain';
import { SETTINGS_COLUMNS, SettingsRow, toUserSettings } from './user-settings-row';
import { translatingSqlRunner } from './dependency-errors';
import { SqlRunner, epochMicrosSql, timestampFromMicrosSql } from './sql-runner';

interface EdgeRow {
  id: string;
  us: string;
}

/**
 * How one list is read: the table, the owner's column, the other user's column and the filters.
 * Every list is "rows of one owner, newest first by (created_at, other id)", which is a backward
 * scan of a covering index (see the migration), so a page costs the same at any depth.
 */
interface ListShape {
  from: string;
  /** Column and parameter value that select the owner's rows. */
  ownerColumn: string;
  otherColumn: string;
  /** Extra conditions; may use $OWNER (the owner's value) and $X (extraParam). */
  where: string;
  extraParam?: string;
}

const CREATED = 'e.created_at';

/**
 * Steps of a walk of a target's followers (knownFollowersOf, sampleKnownFollowers) worth one account
 * the viewer follows: a step (index entry, hashed lookup) costs about a tenth of a probe of one
 * following for a follow of the target.
 */
const WALK_STEPS_PER_FOLLOWING = 10;

/**
 * The read port on PostgreSQL, in raw SQL through TypeORM's DataSource (one pooled round trip per
 * method). Counts come from the striped counters (sum of a user's slot rows) where one exists.
 */
export class TypeOrmGraphReadRepository extends GraphReadRepository {
  private readonly db: SqlRunner;

  constructor(db: SqlRunner) {
    super();
    // Driver failures leave this adapter as the domain's UnavailableError.
    this.db = translatingSqlRunner(db);
  }

  async getSettings(userId: UserId): Promise<UserSettings> {
    const rows: SettingsRow[] = await this.db.query(`SELECT ${SETTINGS_COLUMNS} FROM user_settings WHERE user_id = $1`, [userId]);
    return rows[0] ? toUserSettings(rows[0]) : { ...DEFAULT_USER_SETTINGS };
  }

  async getRelationships(viewerId: UserId, userIds: UserId[]): Promise<Relationship[]> {
    if (userIds.length === 0) return [];
    // One statement for all ids: each asked id probes the four primary keys (both follow
    // directions, both block directions); the ordinality keeps the order asked.
    const rows: {
      id: string;
      following: boolean;
      followed_by: boolean;
      requested: boolean;
      requested_by: boolean;
      blocking: boolean;
      blocked_by: boolean;
      notify: boolean | null;
      show_reposts: boolean | null;
      languages: string[] | null;
    }[] = await this.db.query(
      `SELECT u.id::text AS id,
              COALESCE(o.status = 'accepted', false) AS following,
              COALESCE(o.status = 'pending', false)  AS requested,
              COALESCE(i.status = 'accepted', false) AS followed_by,
              COALESCE(i.status = 'pending', false)  AS requested_by,
              (bo.blocker_id IS NOT NULL)            AS blocking,
              (bi.blocker_id IS NOT NULL)            AS blocked_by,
              o.notify, o.show_reposts, o.languages
         FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, ord)
         LEFT JOIN follows o ON o.follower_id = $1 AND o.following_id = u.id
         LEFT JOIN follows i ON i.follower_id = u.id AND i.following_id = $1
         LEFT JOIN blocks bo ON bo.blocker_id = $1 AND bo.blocked_id = u.id
         LEFT JOIN blocks bi ON bi.blocker_id = u.id AND bi.blocked_id = $1
        ORDER BY u.ord`,
      [viewerId, userIds],
    );
    return rows.map((r) =>
      describeRelationship(
        r.id as UserId,
        {
          following: r.following,
          followedBy: r.followed_by,
          requested: r.requested,
          requestedBy: r.requested_by,
          blocking: r.blocking,
          blockedBy: r.blocked_by,
        },
        r.notify === null ? null : { notify: r.notify, reposts: r.show_reposts!, languages: r.languages },
      ),
    );
  }

  async getStats(userIds: UserId[]): Promise<GraphStats[]> {
    if (userIds.length === 0) return [];
    const rows: { id: string; followers: string; followings: string; pending: string }[] = await this.db.query(
      `SELECT u.id::text AS id,
              COALESCE(SUM(s.follower_count), 0)::text         AS followers,
              COALESCE(SUM(s.following_count), 0)::text        AS followings,
              COALESCE(SUM(s.pending_requests_count), 0)::text AS pending
         FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, ord)
         LEFT JOIN user_graph_stats s ON s.user_id = u.id
        GROUP BY u.ord, u.id
        ORDER BY u.ord`,
      [userIds],
    );
    return rows.map((r) => ({
      userId: r.id as UserId,
      followerCount: Number(r.followers),
      followingCount: Number(r.followings),
      pendingRequestsCount: Number(r.pending),
    }));
  }

  async listEdges(list: EdgeList, page: PageQuery): Promise<EdgeSlice> {
    const binds = new Binds();
    const rows: EdgeRow[] = await this.db.query(this.listRowsSql(list, page, binds), binds.values);
    return sliceOf(rows, page.limit);
  }

  /**
   * The followers/following page's sources in one statement: each part a subquery (the same SQL as
   * getSettings, listEdges and getStats), NULL when not asked.
   */
  override async listPageSources(list: OwnedEdgeList, want: ListPageSourcesQuery): Promise<ListPageSources> {
    const binds = new Binds();
    // Bound only where used (Postgres cannot type a parameter no part mentions).
    let bound: string | undefined;
    const owner = () => (bound ??= binds.add(list.userId));
    const rowsOf = (sql: string) => `(SELECT coalesce(json_agg(json_build_array(r.id, r.us) ORDER BY r.us::bigint DESC, r.id::bigint DESC), '[]'::json) FROM (${sql}) r)`;
    const first = (limit: number): PageQuery => ({ limit, after: null });
    const [row]: {
      settings: SettingsRow | null;
      blocks: [string, string][] | null;
      stats: [string, string, string] | null;
      head: [string, string][] | null;
    }[] = await this.db.query(
      `SELECT ${want.settings ? `(SELECT row_to_json(s) FROM (SELECT ${SETTINGS_COLUMNS} FROM user_settings WHERE user_id = ${owner()}) s)` : 'NULL::json'} AS settings,
              ${want.blocks !== null ? rowsOf(this.listRowsSql({ kind: 'blocks', userId: list.userId }, first(want.blocks), binds)) : 'NULL::json'} AS blocks,
              ${want.stats ? `(SELECT json_build_array(COALESCE(SUM(follower_count), 0)::text, COALESCE(SUM(following_count), 0)::text, COALESCE(SUM(pending_requests_count), 0)::text) FROM user_graph_stats WHERE user_id = ${owner()})` : 'NULL::json'} AS stats,
              ${want.head !== null ? rowsOf(this.listRowsSql(list, first(want.head), binds)) : 'NULL::json'} AS head`,
      binds.values,
    );
    const edges = (pairs: [string, string][], limit: number) => sliceOf(pairs.map(([id, us]) => ({ id, us })), limit);
    const out: ListPageSources = {};
    if (want.settings) out.settings = row!.settings ? toUserSettings(row!.settings) : { ...DEFAULT_USER_SETTINGS };
    if (want.blocks !== null) out.blocks = edges(row!.blocks!, want.blocks);
    if (want.stats) {
      const [followers, followings, pending] = row!.stats!;
      out.stats = { userId: list.userId, followerCount: Number(followers), followingCount: Number(followings), pendingRequestsCount: Number(pending) };
    }
    if (want.head !== null) out.head = edges(row!.head!, want.head);
    return out;
  }

  /** A page of `list` as rows (id, us), the limit + 1st included: the statement listEdges runs, its values bound in `binds`. */
  private listRowsSql(list: EdgeList, page: PageQuery, binds: Binds): string {
    const shape = this.shapeOf(list);
    const owner = binds.add(this.ownerOf(list));
    const limit = binds.add(page.limit + 1);
    const keyset = page.after
      ? `AND (${CREATED}, e.${shape.otherColumn}) < (${timestampFromMicrosSql(binds.add(page.after.createdAtUs))}, ${binds.add(page.after.userId)}::bigint)`
      : '';
    const extra = shape.extraParam === undefined ? '' : binds.add(shape.extraParam);
    const where = shape.where.replaceAll('$OWNER', () => owner).replaceAll('$X', () => extra);
    return `SELECT e.${shape.otherColumn}::text AS id, ${epochMicrosSql(CREATED)} AS us
              FROM ${shape.from} e
             WHERE e.${shape.ownerColumn} = ${owner} ${where} ${keyset}
             ORDER BY ${CREATED} DESC, e.${shape.otherColumn} DESC
             LIMIT ${limit}`;
  }

  async listEdgeDetails(list: EdgeDetailList, page: PageQuery, range: EdgeTimeRange): Promise<DetailedEdgeSlice> {
    const shape = this.shapeOf(list);
    const rows: Array<EdgeRow & { notify: boolean; show_reposts: boolean; languages: string[] | null }> = await this.db.query(
      `SELECT e.${shape.otherColumn}::text AS id, ${epochMicrosSql(CREATED)} AS us, e.notify, e.show_reposts, e.languages
         FROM follows e
        WHERE e.${shape.ownerColumn} = $1 ${shape.where}
          AND ($3::bigint IS NULL OR (${CREATED}, e.${shape.otherColumn}) < (${timestampFromMicrosSql('$3')}, $4::bigint))
          AND ($5::timestamptz IS NULL OR ${CREATED} >= $5) AND ($6::timestamptz IS NULL OR ${CREATED} < $6)
        ORDER BY ${CREATED} DESC, e.${shape.otherColumn} DESC
        LIMIT $2`,
      [list.userId, page.limit + 1, page.after?.createdAtUs ?? null, page.after?.userId ?? null, range.since, range.until],
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => ({
        userId: r.id as UserId,
        createdAt: microsToDate(r.us),
        createdAtUs: r.us,
        options: { notify: r.notify, reposts: r.show_reposts, languages: r.languages },
      })),
      next: rows.length > page.limit && last ? { createdAtUs: last.us, userId: last.id as UserId } : null,
    };
  }

  async countEdges(list: EdgeList): Promise<number> {
    switch (list.kind) {
      case 'followers':
        return this.counter(list.userId, 'follower_count');
      case 'following':
        return this.counter(list.userId, 'following_count');
      case 'incoming_requests':
        return this.counter(list.userId, 'pending_requests_count');
      case 'outgoing_requests':
        return this.count(`SELECT count(*) FROM follows WHERE follower_id = $1 AND status = 'pending'`, [list.userId]);
      case 'blocks':
        return this.count(`SELECT count(*) FROM blocks WHERE blocker_id = $1`, [list.userId]);
      case 'common_followers': {
        // Walk the smaller follower set and probe the other one.
        const [a, b] = await this.getStats([list.userA, list.userB]);
        const [small, large] = a!.followerCount <= b!.followerCount ? [list.userA, list.userB] : [list.userB, list.userA];
        return this.count(
          `SELECT count(*) FROM follows f
            WHERE f.following_id = $1 AND f.status = 'accepted'
              AND EXISTS (SELECT 1 FROM follows g WHERE g.follower_id = f.follower_id AND g.following_id = $2 AND g.status = 'accepted')`,
          [small, large],
        );
      }
      case 'known_followers':
        return this.countFollowersFollowedBy(list.userId, list.viewerId);
      case 'mutuals':
        return this.countFollowersFollowedBy(list.userId, list.userId);
      case 'notify_subscribers':
        return this.count(`SELECT count(*) FROM follows WHERE following_id = $1 AND notify AND status = 'accepted'`, [list.userId]);
    }
  }

  /**
   * One statement: the page, the total and, for another user's list, the facts that decide whether
   * the viewer may see it (three primary-key probes). A page and total the facts refuse are dropped.
   */
  async readListPage(viewerId: UserId, list: OwnedEdgeList, page: PageQuery): Promise<ListPageRead> {
    const binds = new Binds();
    const self = viewerId === list.userId;
    const facts = self ? '' : `${accessFactsSql(binds.add(list.userId), binds.add(viewerId))},`;
    const [row]: (AccessFacts & { rows: [string, string][]; total: string })[] = await this.db.query(
      `SELECT ${facts}
              (SELECT coalesce(json_agg(json_build_array(r.id, r.us) ORDER BY r.us::bigint DESC, r.id::bigint DESC), '[]'::json)
                 FROM (${this.listRowsSql(list, page, binds)}) r) AS rows,
              (${this.countSql(list, binds)})::text AS total`,
      binds.values,
    );
    const access = self ? 'ok' : accessOf(row!, list);
    if (access !== 'ok') return { access };
    return { access: 'ok', slice: sliceOf(row!.rows.map(([id, us]) => ({ id, us })), page.limit), total: Number(row!.total) };
  }

  async knownFollowersOf(viewerId: UserId, targetIds: UserId[], sample: number): Promise<KnownFollowersSummary[]> {
    if (targetIds.length === 0) return [];
    // Per target, by the counters: a target with at most WALK_STEPS_PER_FOLLOWING × (the viewer's
    // followings + 1) followers has them all walked, each looked up in the viewer's followings
    // (hashed once for every target); a bigger one has instead each of the viewer's followings
    // probed by primary key for a follow of it (pinned as in sampleKnownFollowers' fallback: read
    // updated_at, which only the table holds, and sort by it last, where it never decides). Either
    // way the work is bounded by the viewer's followings, not by a celebrity's followers: as one
    // join, the planner (guessing the target's size) read a 100,000-follower target's followers
    // for each of a heavy viewer's followings. The sample is the newest of the follows found.
    const rows: { id: string; n: string; sample: string[] | null }[] = await this.db.query(
      `SELECT u.id::text AS id, k.n::text AS n, k.sample
         FROM (SELECT COALESCE(SUM(following_count), 0) AS n FROM user_graph_stats WHERE user_id = $1) v,
              unnest($2::bigint[]) WITH ORDINALITY AS u(id, ord)
        CROSS JOIN LATERAL (SELECT COALESCE(SUM(follower_count), 0) AS n FROM user_graph_stats WHERE user_id = u.id) t
        CROSS JOIN LATERAL (
          SELECT count(*) AS n, (array_agg(m.id::text ORDER BY m.at DESC, m.id DESC, m.tie))[1:$3] AS sample
            FROM (SELECT w.follower_id AS id, w.created_at AS at, NULL::timestamptz AS tie
                    FROM (SELECT f.follower_id, f.created_at,
                                 f.follower_id IN (SELECT following_id FROM follows WHERE follower_id = $1 AND status = 'accepted') AS known
                            FROM follows f
                           WHERE t.n <= $4 * (v.n + 1) AND f.following_id = u.id AND f.status = 'accepted'
                          OFFSET 0) w
                   WHERE w.known
                  UNION ALL
                  SELECT g.following_id, p.created_at, p.updated_at
                    FROM follows g
                    CROSS JOIN LATERAL (SELECT f.created_at, f.updated_at FROM follows f
                                         WHERE f.follower_id = g.following_id AND f.following_id = u.id AND f.status = 'accepted'
                                         LIMIT 1) p
                   WHERE t.n > $4 * (v.n + 1) AND g.follower_id = $1 AND g.status = 'accepted') m) k
        ORDER BY u.ord`,
      [viewerId, targetIds, sample, WALK_STEPS_PER_FOLLOWING],
    );
    return rows.map((r) => ({ userId: r.id as UserId, count: Number(r.n), sampleIds: (r.sample ?? []) as UserId[] }));
  }

  async sampleKnownFollowers(viewerId: UserId, targetIds: UserId[], sample: number): Promise<UserId[][]> {
    if (targetIds.length === 0) return [];
    // Per target, newest follow first (knownFollowersOf's order). The viewer's followings are hashed
    // once; each target's followers are walked newest first, each looked up in that set, and the
    // walk stops at `sample` found: exact when it found them or walked every follower. It stops
    // anyway after WALK_STEPS_PER_FOLLOWING steps per account the viewer follows (its counter: the
    // bound only weighs the cost, about that of the other way round; the row at the bound is let
    // through to mark the walk as cut), and a target left unresolved (the viewer's followings
    // sparse among its newest followers) takes knownFollowersOf's way: each of the viewer's
    // followings probed by primary key for a follow of it. The planner guesses the size of a target
    // given by an outer row (a few dozen followers), so the probe is pinned: a LIMIT 1 lateral (as a
    // join it read all the target's followers: 200,080 rows for a light user), and it reads
    // updated_at, which no other index holds (an index-only scan of the target's followers, once
    // per following, took 30 s for a user following 10,000 and a 100,000-follower target). The
    // sort key it ends never decides: following_id before it is unique.
    const rows: { sample: string[] | null }[] = await this.db.query(
      `WITH bound AS MATERIALIZED (
              SELECT ($4::int * (coalesce(sum(following_count), 0) + 1))::bigint AS steps FROM user_graph_stats WHERE user_id = $1),
            walked AS MATERIALIZED (
              SELECT u.ord, u.id, w.found, w.cut
                FROM bound, unnest($2::bigint[]) WITH ORDINALITY AS u(id, ord)
                CROSS JOIN LATERAL (
                  SELECT array_agg(h.follower_id::text ORDER BY h.rn) FILTER (WHERE h.hit) AS found, bool_or(h.rn = bound.steps) AS cut
                    FROM (SELECT t.follower_id, t.rn, t.hit
                            FROM (SELECT f.follower_id, row_number() OVER (ORDER BY f.created_at DESC, f.follower_id DESC) AS rn,
                                         f.follower_id IN (SELECT following_id FROM follows WHERE follower_id = $1 AND status = 'accepted') AS hit
                                    FROM follows f
                                   WHERE f.following_id = u.id AND f.status = 'accepted'
                                   ORDER BY f.created_at DESC, f.follower_id DESC
                                   LIMIT bound.steps) t
                           WHERE t.hit OR t.rn = bound.steps
                           LIMIT $3) h) w)
       SELECT CASE WHEN cardinality(w.found) >= $3 OR NOT coalesce(w.cut, false) THEN w.found
                   ELSE (SELECT (array_agg(g.following_id::text ORDER BY p.created_at DESC, g.following_id DESC, p.updated_at))[1:$3]
                           FROM follows g
                           CROSS JOIN LATERAL (SELECT f.created_at, f.updated_at FROM follows f
                                                WHERE f.follower_id = g.following_id AND f.following_id = w.id AND f.status = 'accepted'
                                                LIMIT 1) p
                          WHERE g.follower_id = $1 AND g.status = 'accepted') END AS sample
         FROM walked w
        ORDER BY w.ord`,
      [viewerId, targetIds, sample, WALK_STEPS_PER_FOLLOWING],
    );
    return rows.map((r) => (r.sample ?? []) as UserId[]);
  }

  async blockExists(pairs: Array<readonly [UserId, UserId]>): Promise<boolean[]> {
    if (pairs.length === 0) return [];
    // Two primary-key probes per pair (a blocks b, b blocks a), in one statement.
    const rows: { blocked: boolean }[] = await this.db.query(
      `SELECT EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = p.a AND blocked_id = p.b) OR (blocker_id = p.b AND blocked_id = p.a)) AS blocked
         FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS p(a, b, ord)
        ORDER BY p.ord`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    return rows.map((r) => r.blocked);
  }

  /** Whether `viewerId` may see the lists of another user, `ownerId` (the first step of readListPage). */
  async listAccessOf(viewerId: UserId, list: OwnedEdgeList): Promise<ListPageRead['access']> {
    const [facts]: AccessFacts[] = await this.db.query(`SELECT ${accessFactsSql('$1', '$2')}`, [list.userId, viewerId]);
    return accessOf(facts!, list);
  }

  async filterFollowed(followerId: UserId, candidateIds: UserId[]): Promise<UserId[]> {
    if (candidateIds.length === 0) return [];
    const rows: { id: string }[] = await this.db.query(
      `SELECT u.id::text AS id
         FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, ord)
         JOIN follows f ON f.follower_id = $1 AND f.following_id = u.id AND f.status = 'accepted'
        ORDER BY u.ord`,
      [followerId, candidateIds],
    );
    return rows.map((r) => r.id as UserId);
  }

  async getRecommendations(userId: UserId, limit: number, bounds: RecommendationBounds, relativeTo?: UserId): Promise<Recommendation[]> {
    // Bounded friend-of-friend: the seeds (the user's `recentFollowings` newest followings, or for
    // "people like X" X's newest followers), each one's `perFollowing` newest followings (backward
    // index-only scans), counted per candidate. Exclusions (self, X, followed or requested, blocked
    // either way, dismissed) are one hashed set, built from the user's own rows, anti-joined after grouping.
    const seeds =
      relativeTo === undefined
        ? `SELECT following_id AS id FROM follows
            WHERE follower_id = $1 AND status = 'accepted'
            ORDER BY created_at DESC, following_id DESC
            LIMIT $2`
        : `SELECT follower_id AS id FROM follows
            WHERE following_id = $5 AND status = 'accepted'
            ORDER BY created_at DESC, follower_id DESC
            LIMIT $2`;
    const rows: { id: string; n: number }[] = await this.db.query(
      `WITH recent AS MATERIALIZED (${seeds}),
            candidates AS (
              SELECT c.id, count(*) AS n
                FROM recent r
                CROSS JOIN LATERAL (
                  SELECT following_id AS id FROM follows
                   WHERE follower_id = r.id AND status = 'accepted'
                   ORDER BY created_at DESC, following_id DESC
                   LIMIT $3) c
               GROUP BY c.id),
            excluded AS MATERIALIZED (
              SELECT following_id AS id FROM follows WHERE follower_id = $1 AND status IN ('accepted', 'pending')
              UNION ALL SELECT blocked_id FROM blocks WHERE blocker_id = $1
              UNION ALL SELECT blocker_id FROM blocks WHERE blocked_id = $1
              UNION ALL SELECT dismissed_id FROM recommendation_dismissals WHERE user_id = $1${relativeTo === undefined ? '' : `
              UNION ALL SELECT $5::bigint`})
       SELECT c.id::text AS id, c.n::int AS n
         FROM candidates c
        WHERE c.id <> $1 AND NOT EXISTS (SELECT 1 FROM excluded x WHERE x.id = c.id)
        ORDER BY c.n DESC, c.id ASC
        LIMIT $4`,
      [userId, bounds.recentFollowings, bounds.perFollowing, limit, ...(relativeTo === undefined ? [] : [relativeTo])],
    );
    return rows.map((r) => ({ userId: r.id as UserId, mutualCount: Number(r.n) }));
  }

  async mostFollowed(limit: number): Promise<UserId[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT user_id::text AS id FROM user_graph_stats
        GROUP BY user_id HAVING SUM(follower_count) > 0
        ORDER BY SUM(follower_count) DESC, user_id ASC
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id as UserId);
  }

  private async countFollowersFollowedBy(userId: UserId, followerOf: UserId): Promise<number> {
    const binds = new Binds();
    return this.count(followersFollowedBySql(binds.add(userId), binds.add(followerOf)), binds.values);
  }

  /** The SQL of countEdges for a list about its owner. */
  private countSql(list: OwnedEdgeList, binds: Binds): string {
    switch (list.kind) {
      case 'followers':
      case 'following':
        return `SELECT COALESCE(SUM(${list.kind === 'followers' ? 'follower_count' : 'following_count'}), 0) FROM user_graph_stats WHERE user_id = ${binds.add(list.userId)}`;
      case 'known_followers':
        return followersFollowedBySql(binds.add(list.userId), binds.add(list.viewerId));
      case 'mutuals':
        return followersFollowedBySql(binds.add(list.userId), binds.add(list.userId));
    }
  }

  private async counter(userId: UserId, column: 'follower_count' | 'following_count' | 'pending_requests_count'): Promise<number> {
    return this.count(`SELECT COALESCE(SUM(${column}), 0) FROM user_graph_stats WHERE user_id = $1`, [userId]);
  }

  private async count(sql: string, params: unknown[]): Promise<number> {
    const rows: Record<string, string>[] = await this.db.query(`SELECT (${sql})::text AS n`, params);
    return Number(rows[0]!.n);
  }

  private ownerOf(list: EdgeList): UserId {
    return list.kind === 'common_followers' ? list.userA : list.userId;
  }

  private shapeOf(list: EdgeList): ListShape {
    const followersOf = { from: 'follows', ownerColumn: 'following_id', otherColumn: 'follower_id' };
    const followsToo = (who: string) =>
      `AND EXISTS (SELECT 1 FROM follows g WHERE g.follower_id = ${who} AND g.following_id = e.follower_id AND g.status = 'accepted')`;
    switch (list.kind) {
      case 'followers':
        return { ...followersOf, where: `AND e.status = 'accepted'` };
      case 'following':
        return { from: 'follows', ownerColumn: 'follower_id', otherColumn: 'following_id', where: `AND e.status = 'accepted'` };
      case 'incoming_requests':
        return { ...followersOf, where: `AND e.status = 'pending'` };
      case 'outgoing_requests':
        return { from: 'follows', ownerColumn: 'follower_id', otherColumn: 'following_id', where: `AND e.status = 'pending'` };
      case 'blocks':
        return { from: 'blocks', ownerColumn: 'blocker_id', otherColumn: 'blocked_id', where: '' };
      case 'common_followers':
        return {
          ...followersOf,
          where: `AND e.status = 'accepted' AND EXISTS (SELECT 1 FROM follows g WHERE g.follower_id = e.follower_id AND g.following_id = $X::bigint AND g.status = 'accepted')`,
          extraParam: list.userB,
        };
      case 'known_followers':
        return { ...followersOf, where: `AND e.status = 'accepted' ${followsToo('$X::bigint')}`, extraParam: list.viewerId };
      case 'mutuals':
        return { ...followersOf, where: `AND e.status = 'accepted' ${followsToo('$OWNER')}` };
      case 'notify_subscribers':
        return { ...followersOf, where: `AND e.notify AND e.status = 'accepted'` };
    }
  }
}

/** What decides whether a viewer may see another user's lists (readListPage, listAccessOf). */
interface AccessFacts {
  blocked: boolean;
  accepted: boolean;
  settings: SettingsRow | null;
}

/** AccessFacts of `viewer` towards `owner` (placeholders): three primary-key probes. */
function accessFactsSql(owner: string, viewer: string): string {
  return `EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${owner} AND blocked_id = ${viewer}) AS blocked,
          EXISTS (SELECT 1 FROM follows WHERE follower_id = ${viewer} AND following_id = ${owner} AND status = 'accepted') AS accepted,
          (SELECT row_to_json(s) FROM (SELECT ${SETTINGS_COLUMNS} FROM user_settings WHERE user_id = ${owner}) s) AS settings`;
}

function accessOf(facts: AccessFacts, list: OwnedEdgeList): ListPageRead['access'] {
  const owner = facts.settings ? toUserSettings(facts.settings) : DEFAULT_USER_SETTINGS;
  return listAccess({
    self: false,
    blockedByOwner: facts.blocked,
    ownerPrivate: owner.isPrivate,
    acceptedFollower: facts.accepted,
    visibility: listVisibilityOf(owner, list.kind),
  });
}

/**
 * How many followers of `user` `follower` follows (placeholders): the smaller of the two sets (by
 * the counters) is walked and the other probed. Only the CASE arm chosen runs.
 */
function followersFollowedBySql(user: string, follower: string): string {
  return `SELECT CASE WHEN (SELECT COALESCE(SUM(follower_count), 0) FROM user_graph_stats WHERE user_id = ${user})
                        <= (SELECT COALESCE(SUM(following_count), 0) FROM user_graph_stats WHERE user_id = ${follower})
                   THEN (SELECT count(*) FROM follows f
                          WHERE f.following_id = ${user} AND f.status = 'accepted'
                            AND EXISTS (SELECT 1 FROM follows g WHERE g.follower_id = ${follower} AND g.following_id = f.follower_id AND g.status = 'accepted'))
                   ELSE (SELECT count(*) FROM follows g
                          WHERE g.follower_id = ${follower} AND g.status = 'accepted'
                            AND EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = g.following_id AND f.following_id = ${user} AND f.status = 'accepted')) END`;
}

/** The values bound to one statement: `add` gives a value's placeholder. */
class Binds {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A page from up to limit + 1 rows: `next` only when more rows follow. */
function sliceOf(rows: EdgeRow[], limit: number): EdgeSlice {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((r) => ({ userId: r.id as UserId, createdAt: microsToDate(r.us), createdAtUs: r.us })),
    next: rows.length > limit && last ? { createdAtUs: last.us, userId: last.id as UserId } : null,
  };
}

/** Date keeps milliseconds: floor the exact microseconds (the cursor keeps them exactly). */
function microsToDate(us: string): Date {
  const n = BigInt(us);
  const ms = n / 1000n - (n % 1000n < 0n ? 1n : 0n);
  return new Date(Number(ms));
}
