import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account policies (issue #16, docs/api.md "Account policies") on the settings row: constant
 * defaults, so no table rewrite, and an account never configured (no row) reads as the defaults.
 */
export class AccountPolicies1765500000000 implements MigrationInterface {
  name = 'AccountPolicies1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE user_settings
        ADD COLUMN followers_visibility VARCHAR(10) NOT NULL DEFAULT 'public',
        ADD COLUMN following_visibility VARCHAR(10) NOT NULL DEFAULT 'public',
        ADD COLUMN hide_counts          BOOLEAN     NOT NULL DEFAULT false,
        ADD COLUMN auto_accept_followed BOOLEAN     NOT NULL DEFAULT false,
        ADD COLUMN request_ttl_days     SMALLINT,
        ADD CONSTRAINT check_followers_visibility CHECK (followers_visibility IN ('public', 'followers', 'private')),
        ADD CONSTRAINT check_following_visibility CHECK (following_visibility IN ('public', 'followers', 'private')),
        ADD CONSTRAINT check_request_ttl_days CHECK (request_ttl_days BETWEEN 1 AND 365)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE user_settings
        DROP COLUMN IF EXISTS request_ttl_days, DROP COLUMN IF EXISTS auto_accept_followed, DROP COLUMN IF EXISTS hide_counts,
        DROP COLUMN IF EXISTS following_visibility, DROP COLUMN IF EXISTS followers_visibility`);
  }
}
