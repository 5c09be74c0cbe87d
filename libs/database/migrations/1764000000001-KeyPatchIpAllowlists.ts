import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * IP allowlists (canonical CIDR blocks; NULL = from anywhere) on API keys and accounts. last_used_at /
 * last_used_ip already exist on api_keys since Init; added here only if a database lacks them.
 */
export class KeyPatchIpAllowlists1764000000001 implements MigrationInterface {
  name = 'KeyPatchIpAllowlists1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS ip_allowlist text[]`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS last_used_at timestamptz`);
    await q.query(`ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS last_used_ip text`);
    await q.query(`ALTER TABLE accounts ADD COLUMN IF NOT EXISTS ip_allowlist text[]`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts DROP COLUMN IF EXISTS ip_allowlist`);
    await q.query(`ALTER TABLE api_keys DROP COLUMN IF EXISTS ip_allowlist`);
  }
}
