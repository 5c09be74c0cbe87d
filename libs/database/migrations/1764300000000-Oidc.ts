import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OIDC login. oidc_config holds the platform's single identity provider (one row: `id` is always
 * true); its client secret is sealed with MAILPLANE_SECRET_KEY. account_oidc_links binds an IdP
 * identity (issuer, subject) to one account: a subject maps to one account, and an account has at
 * most one identity per issuer, so a second IdP user with the same email cannot take it over.
 */
export class Oidc1764300000000 implements MigrationInterface {
  name = 'Oidc1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_config (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret_enc text NOT NULL,
        redirect_uri text NOT NULL,
        allowed_domains text[] NOT NULL DEFAULT '{}',
        enabled boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE account_oidc_links (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        issuer text NOT NULL,
        subject text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        PRIMARY KEY (issuer, subject),
        UNIQUE (account_id, issuer)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_oidc_links`);
    await q.query(`DROP TABLE oidc_config`);
  }
}
