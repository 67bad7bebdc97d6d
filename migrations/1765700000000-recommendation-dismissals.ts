import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dismissed suggestions (issue #16, DELETE /recommendations/{id}): kept for good, private to the
 * user, so nothing is counted or published. The suggestion query anti-joins the user's rows (the
 * primary key); the index on dismissed_id serves erasure of the dismissed account.
 */
export class RecommendationDismissals1765700000000 implements MigrationInterface {
  name = 'RecommendationDismissals1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE recommendation_dismissals (
        user_id      BIGINT      NOT NULL,
        dismissed_id BIGINT      NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, dismissed_id),
        CONSTRAINT check_not_self_dismissal CHECK (user_id <> dismissed_id)
      )`);
    await q.query(`CREATE INDEX idx_recommendation_dismissals_dismissed ON recommendation_dismissals (dismissed_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS recommendation_dismissals`);
  }
}
