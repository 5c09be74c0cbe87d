import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * DKIM keys. The private key is sealed with MAILPLANE_SECRET_KEY (SecretBox, the row id as
 * associated data) and never leaves the database in clear except to the reconcile that writes
 * OpenDKIM's key files. A domain may have several selectors; the newest signs, older ones stay
 * published until deleted (rotation).
 */
export class DkimKeys1763900000001 implements MigrationInterface {
  name = 'DkimKeys1763900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dkim_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        domain_id uuid NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
        selector text NOT NULL,
        algorithm text NOT NULL CHECK (algorithm IN ('rsa-2048', 'rsa-1024', 'ed25519')),
        public_key text NOT NULL,
        private_key_enc text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dkim_keys_domain_selector UNIQUE (domain_id, selector)
      )`);
    await q.query(`CREATE INDEX dkim_keys_tenant ON dkim_keys (tenant_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dkim_keys`);
  }
}
