import { MigrationInterface, QueryRunner } from 'typeorm';
import { GRAPH_FOLLOW_WITHOUT_OPTIONS } from './1765000000000-graph-write-functions';

/** graph_follow with the options (a later migration replaces it; its down restores this one). */
export const GRAPH_FOLLOW_WITH_OPTIONS = `
      CREATE FUNCTION graph_follow(p_follower bigint, p_following bigint, p_notify boolean, p_show_reposts boolean, p_languages text[],
                                   p_event_id uuid, p_topic text, p_payload jsonb)
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
      END $$`;

/**
 * graph_follow with the follow options (issue #16, docs/api.md "Follow options"): the new edge, a
 * rejected request asked again included, takes the caller's notify / show_reposts / languages, and
 * the follow event carries them as stored. Same shape as the function it replaces
 * (1765000000000-graph-write-functions): the pair lock in a statement of its own, the timestamp taken
 * once into a variable (EXCLUDED.* in ON CONFLICT DO UPDATE), so it stays shardable by follower_id.
 * A repeat follow with other options is not this function's job: it answers 'unchanged' and the
 * adapter's updateFollowOptions changes them.
 */
export class FollowWithOptions1765400000000 implements MigrationInterface {
  name = 'FollowWithOptions1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION graph_follow(bigint, bigint, uuid, text, jsonb)`);
    await q.query(GRAPH_FOLLOW_WITH_OPTIONS);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS graph_follow(bigint, bigint, boolean, boolean, text[], uuid, text, jsonb)`);
    await q.query(GRAPH_FOLLOW_WITHOUT_OPTIONS);
  }
}
