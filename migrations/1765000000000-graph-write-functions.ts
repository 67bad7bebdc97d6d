import { MigrationInterface, QueryRunner } from 'typeorm';

/** graph_follow as first written (a later migration replaces it; its down restores this one). */
export const GRAPH_FOLLOW_WITHOUT_OPTIONS = `
      CREATE FUNCTION graph_follow(p_follower bigint, p_following bigint, p_event_id uuid, p_topic text, p_payload jsonb)
      RETURNS TABLE (outcome text, status text, created_at timestamptz)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_at timestamptz := now();
        v_private boolean;
        v_status text;
        v_created timestamptz;
        v_new text;
        v_mutual boolean;
      BEGIN
        -- The pair lock, alone in its statement: a follow cannot slip in beside a block of the pair.
        PERFORM pg_advisory_xact_lock(hashtextextended(least(p_follower, p_following)::text || ':' || greatest(p_follower, p_following)::text, 0));
        SELECT s.is_private INTO v_private FROM user_settings s WHERE s.user_id = p_following;
        IF v_private THEN
          -- Waits for a concurrent change to public and reads its committed value (see the adapter).
          SELECT s.is_private INTO v_private FROM user_settings s WHERE s.user_id = p_following FOR SHARE;
        END IF;
        IF EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p_follower AND b.blocked_id = p_following)
           OR EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p_following AND b.blocked_id = p_follower) THEN
          RETURN QUERY SELECT 'blocked'::text, NULL::text, NULL::timestamptz;
          RETURN;
        END IF;
        SELECT f.status, f.created_at INTO v_status, v_created FROM follows f WHERE f.follower_id = p_follower AND f.following_id = p_following;
        IF v_status IN ('accepted', 'pending') THEN
          RETURN QUERY SELECT 'unchanged'::text, v_status, v_created;
          RETURN;
        END IF;
        v_new := 'accepted';
        IF v_private THEN v_new := 'pending'; END IF;
        v_mutual := EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = p_following AND f.following_id = p_follower AND f.status = 'accepted');
        -- A rejected request asked again becomes a new edge with a new created_at.
        INSERT INTO follows AS f (follower_id, following_id, status, created_at, updated_at)
        VALUES (p_follower, p_following, v_new, v_at, v_at)
        ON CONFLICT (follower_id, following_id) DO UPDATE
           SET status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
         WHERE f.status = 'rejected'
        RETURNING f.created_at INTO v_created;
        IF NOT FOUND THEN
          -- Only if the row changed after our read (the pair lock makes that a non-case).
          SELECT f.status, f.created_at INTO v_status, v_created FROM follows f WHERE f.follower_id = p_follower AND f.following_id = p_following;
          RETURN QUERY SELECT 'unchanged'::text, v_status, v_created;
          RETURN;
        END IF;
        INSERT INTO outbox_events (event_id, topic, message_key, payload)
        VALUES (p_event_id, p_topic, p_follower::text,
                p_payload || jsonb_build_object('status', v_new, 'metadata', jsonb_build_object('is_mutual', v_mutual)));
        PERFORM graph_count_edge(p_follower, p_following, NULL, v_new, v_at);
        RETURN QUERY SELECT 'changed'::text, v_new, v_created;
      END $$`;

/** The counter upsert of graph_add_counts (also the body of its PL/pgSQL version, 1765800000000). */
export const ADD_COUNTS_STATEMENT = `
        INSERT INTO user_graph_stats AS s (user_id, slot, follower_count, following_count, pending_requests_count, updated_at)
        SELECT d.user_id, d.slot, d.followers, d.following, d.pending, p_at
          FROM unnest(p_users, p_slots, p_followers, p_following, p_pending) AS d(user_id, slot, followers, following, pending)
         WHERE (d.followers, d.following, d.pending) <> (0, 0, 0)
         ORDER BY d.user_id, d.slot
        ON CONFLICT (user_id, slot) DO UPDATE SET
          follower_count = s.follower_count + EXCLUDED.follower_count,
          following_count = s.following_count + EXCLUDED.following_count,
          pending_requests_count = s.pending_requests_count + EXCLUDED.pending_requests_count,
          updated_at = EXCLUDED.updated_at`;

/**
 * One server-side call per graph write (follow, unfollow/remove, answer to a request): the checks,
 * the edge, the outbox row and the striped counters in one statement's implicit transaction, so a
 * write costs the service one Postgres round trip instead of seven (BEGIN, four statements,
 * COMMIT). The adapter still builds each event's payload (the function only fills in what it alone
 * knows: the follow's status and is_mutual, an unfollow's reason and previous status).
 * `graph_count_edge` is the SQL copy of the counter rule (which counters an edge's transition
 * moves); a test runs it against the adapter's rule for every transition.
 *
 * Written to stay shardable by follower_id (docs/scaling.md): timestamps are one variable taken
 * once (no now() inside ON CONFLICT DO UPDATE or CASE), the pair advisory lock is a statement of
 * its own, keyed by the pair and routed by its lower user, and no statement locks rows of more than
 * one shard. Each function is VOLATILE, so under READ COMMITTED every statement in it takes a new
 * snapshot, exactly as the separate statements did (the privacy race's FOR SHARE re-read relies on it).
 *
 * Counter rows: edge A→B counts in slot B mod 16 of A's rows and slot A mod 16 of B's; rows are
 * written in (user_id, slot) order, as the adapter does, so counter updates cannot deadlock.
 */
export class GraphWriteFunctions1765000000000 implements MigrationInterface {
  name = 'GraphWriteFunctions1765000000000';

  async up(q: QueryRunner): Promise<void> {
    // Adds deltas to counter rows, in (user_id, slot) order.
    await q.query(`
      CREATE FUNCTION graph_add_counts(p_users bigint[], p_slots smallint[], p_followers bigint[], p_following bigint[], p_pending bigint[], p_at timestamptz)
      RETURNS void LANGUAGE sql VOLATILE AS $$
${ADD_COUNTS_STATEMENT}
      $$`);

    // The counter deltas of the edge a→b going from status p_from to p_to (NULL or 'rejected': absent).
    await q.query(`
      CREATE FUNCTION graph_count_edge(p_follower bigint, p_following bigint, p_from text, p_to text, p_at timestamptz)
      RETURNS void LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_following bigint := (coalesce(p_to, '') = 'accepted')::int - (coalesce(p_from, '') = 'accepted')::int;
        v_pending bigint := (coalesce(p_to, '') = 'pending')::int - (coalesce(p_from, '') = 'pending')::int;
      BEGIN
        PERFORM graph_add_counts(
          ARRAY[p_follower, p_following],
          ARRAY[(p_following % 16)::smallint, (p_follower % 16)::smallint],
          ARRAY[0, v_following],
          ARRAY[v_following, 0],
          ARRAY[0, v_pending],
          p_at);
      END $$`);

    await q.query(GRAPH_FOLLOW_WITHOUT_OPTIONS);

    // Unfollow, cancel a request, or remove a follower (p_only_accepted): the edge, its event, its counters.
    await q.query(`
      CREATE FUNCTION graph_remove_edge(p_follower bigint, p_following bigint, p_only_accepted boolean, p_reason_accepted text, p_reason_pending text,
                                        p_event_id uuid, p_topic text, p_payload jsonb)
      RETURNS text LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_at timestamptz := now();
        v_status text;
      BEGIN
        DELETE FROM follows f
         WHERE f.follower_id = p_follower AND f.following_id = p_following AND (NOT p_only_accepted OR f.status = 'accepted')
        RETURNING f.status INTO v_status;
        IF NOT FOUND OR v_status = 'rejected' THEN RETURN NULL; END IF;
        INSERT INTO outbox_events (event_id, topic, message_key, payload)
        VALUES (p_event_id, p_topic, p_follower::text,
                p_payload || jsonb_build_object('reason', CASE WHEN v_status = 'pending' THEN p_reason_pending ELSE p_reason_accepted END, 'previous_status', v_status));
        PERFORM graph_count_edge(p_follower, p_following, v_status, NULL, v_at);
        RETURN v_status;
      END $$`);

    // The owner accepts or rejects a pending request (acceptance moves created_at to now: the edge became real then).
    await q.query(`
      CREATE FUNCTION graph_respond(p_owner bigint, p_follower bigint, p_target text, p_event_id uuid, p_topic text, p_payload jsonb)
      RETURNS TABLE (outcome text, status text, created_at timestamptz)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_at timestamptz := now();
        v_created timestamptz;
        v_status text;
      BEGIN
        IF p_target = 'accepted' THEN
          UPDATE follows f SET status = p_target, updated_at = v_at, created_at = v_at
           WHERE f.follower_id = p_follower AND f.following_id = p_owner AND f.status = 'pending'
          RETURNING f.created_at INTO v_created;
        ELSE
          UPDATE follows f SET status = p_target, updated_at = v_at
           WHERE f.follower_id = p_follower AND f.following_id = p_owner AND f.status = 'pending'
          RETURNING f.created_at INTO v_created;
        END IF;
        IF FOUND THEN
          INSERT INTO outbox_events (event_id, topic, message_key, payload) VALUES (p_event_id, p_topic, p_follower::text, p_payload);
          PERFORM graph_count_edge(p_follower, p_owner, 'pending', p_target, v_at);
          RETURN QUERY SELECT 'changed'::text, p_target, v_created;
          RETURN;
        END IF;
        SELECT f.status, f.created_at INTO v_status, v_created FROM follows f WHERE f.follower_id = p_follower AND f.following_id = p_owner;
        IF v_status IS DISTINCT FROM p_target THEN
          RETURN QUERY SELECT 'not_found'::text, v_status, v_created;
          RETURN;
        END IF;
        RETURN QUERY SELECT 'unchanged'::text, v_status, v_created;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS graph_respond(bigint, bigint, text, uuid, text, jsonb)`);
    await q.query(`DROP FUNCTION IF EXISTS graph_remove_edge(bigint, bigint, boolean, text, text, uuid, text, jsonb)`);
    await q.query(`DROP FUNCTION IF EXISTS graph_follow(bigint, bigint, uuid, text, jsonb)`);
    await q.query(`DROP FUNCTION IF EXISTS graph_count_edge(bigint, bigint, text, text, timestamptz)`);
    await q.query(`DROP FUNCTION IF EXISTS graph_add_counts(bigint[], smallint[], bigint[], bigint[], bigint[], timestamptz)`);
  }
}
