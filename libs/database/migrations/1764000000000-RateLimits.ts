import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-key and per-tenant request budgets (requests per minute). NULL = inherit: a key without its
 * own limit uses its tenant's, a tenant without one uses RATE_LIMIT_PER_MIN.
 */
export class RateLimits1764000000000 implements MigrationInterface {
  name = 'RateLimits1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN rate_limit_per_min integer CHECK (rate_limit_per_min > 0)`);
    await q.query(`ALTER TABLE tenants ADD COLUMN rate_limit_per_min integer CHECK (rate_limit_per_min > 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN rate_limit_per_min`);
    await q.query(`ALTER TABLE tenants DROP COLUMN rate_limit_per_min`);
  }
}
