import { MigrationInterface, QueryRunner } from 'typeorm';
import { GRAPH_FOLLOW_WITH_OPTIONS } from './1765400000000-follow-with-options';

/**
 * graph_follow with two account policies of issue #16 (docs/api.md "Account policies"):
 * - the following cap: a new follow or request is refused ('limit') when the follower already has
 *   max(p_cap_base, floor(followers × p_cap_permille / 1000)) followings and outgoing requests
 *   (p_cap_base 0: no cap). The count and the insert are made exact by a per-follower advisory lock,
 *   a statement of its own taken before the pair lock (one order, so no deadlock), that only the
 *   follower's own follows wait for;
 * - auto_accept_followed: a private account that follows the requester back, accepted, takes the
 *   follow at once.
 * Shardable like the function it replaces: every statement reads the follower's rows or the
 * followed user's settings row by key, timestamps come from one variable.
 */
export class FollowPolicies1765600000000 implements MigrationInterface {
  name = 'FollowPolicies1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION graph_follow(bigint, bigint, boolean, boolean, text[], uuid, text, jsonb)`);
    await q.query(`
      CREATE FUNCTION graph_follow(p_follower bigint, p_following bigint, p_notify boolean, p_show_reposts boolean, p_languages text[],
                                   p_cap_base integer, p_cap_permille integer, p_event_id uuid, p_topic text, p_payload jsonb)
      RETURNS TABLE (outcome text, status text, created_at timestamptz)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        v_at timestamptz := now();
        v_private boolean;
        v_auto_accept boolean;
        v_status text;
        v_created timestamptz;
        v_new text;
        v_mutual boolean;
        v_followers bigint;
        v_used bigint;
      BEGIN
        IF p_cap_base > 0 THEN
          -- The follower's own follows queue here, so two of them cannot both take the last place.
          PERFORM pg_advisory_xact_lock(hashtextextended('graph:following:' || p_follower::text, 0));
        END IF;
        -- The pair lock, alone in its statement: a follow cannot slip in beside a block of the pair.
        PERFORM pg_advisory_xact_lock(hashtextextended(least(p_follower, p_following)::text || ':' || greatest(p_follower, p_following)::text, 0));
        SELECT s.is_private, s.auto_accept_followed INTO v_private, v_auto_accept FROM user_settings s WHERE s.user_id = p_following;
        IF v_private THEN
          -- Waits for a concurrent change to public and reads its committed value (see the adapter).
          SELECT s.is_private, s.auto_accept_followed INTO v_private, v_auto_accept FROM user_settings s WHERE s.user_id = p_following FOR SHARE;
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
        IF p_cap_base > 0 THEN
          SELECT coalesce(sum(g.follower_count), 0), coalesce(sum(g.following_count), 0) INTO v_followers, v_used
            FROM user_graph_stats g WHERE g.user_id = p_follower;
          v_used := v_used + (SELECT count(*) FROM follows f WHERE f.follower_id = p_follower AND f.status = 'pending');
          IF v_used >= greatest(p_cap_base::bigint, (v_followers * p_cap_permille) / 1000) THEN
            RETURN QUERY SELECT 'limit'::text, NULL::text, NULL::timestamptz;
            RETURN;
          END IF;
        END IF;
        v_mutual := EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = p_following AND f.following_id = p_follower AND f.status = 'accepted');
        v_new := 'accepted';
        IF v_private AND NOT (coalesce(v_auto_accept, false) AND v_mutual) THEN v_new := 'pending'; END IF;
        -- A rejected request asked again becomes a new edge with a new created_at and these options.
        INSERT INTO follows AS f (follower_id, following_id, status, notify, show_reposts, languages, created_at, updated_at)
        VALUES (p_follower, p_following, v_new, p_notify, p_show_reposts, p_languages, v_at, v_at)
        ON CONFLICT (follower_id, following_id) DO UPDATE
           SET status = EXCLUDED.status, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
               notify = EXCLUDED.notify, show_reposts = EXCLUDED.show_reposts, languages = EXCLUDED.languages
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
                p_payload || jsonb_build_object(
                  'status', v_new,
                  'metadata', jsonb_build_object('is_mutual', v_mutual),
                  'options', jsonb_build_object('notify', p_notify, 'reposts', p_show_reposts, 'languages', to_jsonb(p_languages))));
        PERFORM graph_count_edge(p_follower, p_following, NULL, v_new, v_at);
        RETURN QUERY SELECT 'changed'::text, v_new, v_created;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS graph_follow(bigint, bigint, boolean, boolean, text[], integer, integer, uuid, text, jsonb)`);
    await q.query(GRAPH_FOLLOW_WITH_OPTIONS);
  }
}
