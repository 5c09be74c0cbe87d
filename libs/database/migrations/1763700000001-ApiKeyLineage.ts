import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which key minted which: a key that mints keys bounds their expiry, a key with limits manages only
 * what it minted, and revoking a key revokes its descendants.
 */
export class ApiKeyLineage1763700000001 implements MigrationInterface {
  name = 'ApiKeyLineage1763700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys ADD COLUMN created_by_key_id uuid REFERENCES api_keys(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX api_keys_created_by_idx ON api_keys (created_by_key_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN created_by_key_id`);
  }
}
