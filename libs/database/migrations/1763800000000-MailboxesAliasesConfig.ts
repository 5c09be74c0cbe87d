import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mailboxes, aliases, the three configuration tiers with their overrides, anti-spam lists and
 * tenant limits. Tier settings are JSONB objects validated by the services (field sets in
 * libs/contracts/src/config); an absent key in an override means "inherit".
 */
export class MailboxesAliasesConfig1763800000000 implements MigrationInterface {
  name = 'MailboxesAliasesConfig1763800000000';

  async up(q: QueryRunner): Promise<void> {
    // NULL = unlimited.
    await q.query(`
      ALTER TABLE tenants
        ADD COLUMN max_domains integer CHECK (max_domains >= 0),
        ADD COLUMN max_mailboxes integer CHECK (max_mailboxes >= 0),
        ADD COLUMN max_aliases integer CHECK (max_aliases >= 0),
        ADD COLUMN storage_bytes bigint CHECK (storage_bytes >= 0)`);

    // One row per address in use, whoever uses it: a mailbox and an alias can never share one,
    // even under concurrent creates (the primary key decides).
    await q.query(`
      CREATE TABLE mail_addresses (
        address text PRIMARY KEY CHECK (address = lower(address)),
        owner_kind text NOT NULL CHECK (owner_kind IN ('mailbox', 'alias')),
        owner_id uuid NOT NULL
      )`);

    await q.query(`
      CREATE TABLE mailboxes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        domain_id uuid NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
        local_part text NOT NULL CHECK (local_part = lower(local_part) AND octet_length(local_part) BETWEEN 1 AND 64),
        address text NOT NULL CHECK (address = lower(address) AND octet_length(address) <= 254),
        name text NOT NULL DEFAULT '',
        password_hash text NOT NULL,
        quota_bytes bigint CHECK (quota_bytes >= 0),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT mailboxes_address_key UNIQUE (address)
      )`);
    await q.query(`CREATE INDEX mailboxes_domain_idx ON mailboxes (domain_id, local_part)`);
    await q.query(`CREATE INDEX mailboxes_tenant_idx ON mailboxes (tenant_id, address)`);
    await q.query(`CREATE INDEX mailboxes_address_trgm_idx ON mailboxes USING gin (address gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE aliases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        domain_id uuid NOT NULL REFERENCES domains(id) ON DELETE RESTRICT,
        source text NOT NULL CHECK (source = lower(source)),
        destinations text[] NOT NULL CHECK (cardinality(destinations) BETWEEN 1 AND 1000),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT aliases_source_key UNIQUE (source)
      )`);
    await q.query(`CREATE INDEX aliases_domain_idx ON aliases (domain_id, source)`);
    await q.query(`CREATE INDEX aliases_tenant_idx ON aliases (tenant_id, source)`);

    // Singleton tiers: exactly one row each, created here so GET always has something to show.
    for (const table of ['global_config', 'domain_defaults', 'mailbox_defaults']) {
      await q.query(`
        CREATE TABLE ${table} (
          id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
          settings jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
          updated_at timestamptz NOT NULL DEFAULT now()
        )`);
      await q.query(`INSERT INTO ${table} (id, settings) VALUES (1, '{}')`);
    }
    await q.query(`
      CREATE TABLE domain_overrides (
        domain_id uuid PRIMARY KEY REFERENCES domains(id) ON DELETE CASCADE,
        settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE mailbox_overrides (
        mailbox_id uuid PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
        settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE antispam_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        list text NOT NULL CHECK (list IN ('whitelist', 'blacklist')),
        entry_type text NOT NULL CHECK (entry_type IN ('ip', 'cidr', 'domain', 'email')),
        value text NOT NULL,
        comment text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT antispam_entries_value_key UNIQUE (list, entry_type, value)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP TABLE IF EXISTS antispam_entries, mailbox_overrides, domain_overrides, mailbox_defaults, domain_defaults, global_config, aliases, mailboxes, mail_addresses`,
    );
    await q.query(`ALTER TABLE tenants DROP COLUMN max_domains, DROP COLUMN max_mailboxes, DROP COLUMN max_aliases, DROP COLUMN storage_bytes`);
  }
}
