import type { MigrationInterface, QueryRunner } from 'typeorm';

/** OIDC login: the platform's one identity provider (client secret sealed) and the subjects linked to accounts. */
export class Oidc1764300000000 implements MigrationInterface {
  name = 'Oidc1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_config (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        enabled boolean NOT NULL DEFAULT false,
        issuer text NOT NULL,
        client_id text NOT NULL,
        client_secret_enc text NOT NULL,
        redirect_uri text NOT NULL,
        allowed_domains text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE account_oidc_links (
        issuer text NOT NULL,
        subject text NOT NULL,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    await q.query(`CREATE INDEX account_oidc_links_account ON account_oidc_links (account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_oidc_links`);
    await q.query(`DROP TABLE oidc_config`);
  }
}
