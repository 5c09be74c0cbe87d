import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * TOTP second factor. The secret is sealed with MAILPLANE_SECRET_KEY (SecretBox, the account id as
 * associated data); set with totp_enabled_at NULL it is a setup awaiting confirmation.
 * totp_last_step is the last accepted time step, so a code is never accepted twice. Recovery codes
 * and the short-lived tokens of the second login step are stored only as salted/plain SHA-256.
 */
export class Totp1764000000003 implements MigrationInterface {
  name = 'Totp1764000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE accounts
        ADD COLUMN totp_secret_enc text,
        ADD COLUMN totp_enabled_at timestamptz,
        ADD COLUMN totp_last_step bigint`);
    await q.query(`
      CREATE TABLE account_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        salt text NOT NULL,
        code_sha256 text NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX account_recovery_codes_account ON account_recovery_codes (account_id)`);
    await q.query(`
      CREATE TABLE mfa_login_tokens (
        token_sha256 text PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        failed_attempts int NOT NULL DEFAULT 0,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX mfa_login_tokens_expires ON mfa_login_tokens (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mfa_login_tokens`);
    await q.query(`DROP TABLE account_recovery_codes`);
    await q.query(`ALTER TABLE accounts DROP COLUMN totp_secret_enc, DROP COLUMN totp_enabled_at, DROP COLUMN totp_last_step`);
  }
}
