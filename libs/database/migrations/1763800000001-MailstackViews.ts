import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The read-only role Postfix and Dovecot log in as (the deployment grants it LOGIN and a password). */
export const MAILSTACK_ROLE = 'mailplane_mailstack';
/** Built-in mailbox quota (MAILBOX_FIELDS.quota_bytes.default in libs/contracts/src/config/config-fields.ts). */
const DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024;
/** Dovecot's mail home; `maildir` (relative, Postfix virtual_mailbox_base style) lives under it. */
const VMAIL_BASE = '/var/vmail';

/**
 * Views in schema `mailstack` for Postfix (`proxy:pgsql:` maps) and Dovecot (SQL passdb/userdb), and
 * the role that reads them. An inactive domain, mailbox or alias is absent from every view. The views
 * run with their owner's rights, so the role needs SELECT on them only and nothing in `public`.
 *
 * Effective values follow resolveMailboxSettings (libs/contracts/src/config/config-resolver.ts), the
 * first non-null of: quota from the mailbox's overrides, the mailbox row's quota_bytes, mailbox
 * defaults, 1 GiB (0 = unlimited = NULL rule); protocol switches from the mailbox's overrides, mailbox
 * defaults, true. (Neither the global nor the domain tier holds these fields.)
 */
export class MailstackViews1763800000001 implements MigrationInterface {
  name = 'MailstackViews1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA mailstack`);
    await q.query(`
      CREATE VIEW mailstack.virtual_domains AS
        SELECT d.name AS domain FROM domains d WHERE d.active`);
    await q.query(`
      CREATE VIEW mailstack.virtual_mailboxes AS
        SELECT m.address, d.name AS domain, d.name || '/' || m.local_part || '/' AS maildir
          FROM mailboxes m JOIN domains d ON d.id = m.domain_id
         WHERE m.active AND d.active`);
    // One row per destination; a catch-all alias has source '@domain'.
    await q.query(`
      CREATE VIEW mailstack.virtual_aliases AS
        SELECT a.source, dest.destination
          FROM aliases a JOIN domains d ON d.id = a.domain_id
          CROSS JOIN LATERAL unnest(a.destinations) AS dest(destination)
         WHERE a.active AND d.active`);
    await q.query(`
      CREATE VIEW mailstack.transport AS
        SELECT d.name AS domain, 'lmtp:unix:private/dovecot-lmtp'::text AS transport FROM domains d WHERE d.active`);
    await q.query(`
      CREATE VIEW mailstack.users AS
        SELECT m.address AS username,
               d.name AS domain,
               m.password_hash AS password,
               '${VMAIL_BASE}/' || d.name || '/' || m.local_part AS home,
               d.name || '/' || m.local_part || '/' AS maildir,
               CASE WHEN q.bytes > 0 THEN '*:bytes=' || q.bytes END AS quota_rule,
               COALESCE((mo.settings ->> 'enabled_imap')::boolean, (md.settings ->> 'enabled_imap')::boolean, true) AS enabled_imap,
               COALESCE((mo.settings ->> 'enabled_pop3')::boolean, (md.settings ->> 'enabled_pop3')::boolean, true) AS enabled_pop3,
               COALESCE((mo.settings ->> 'enabled_smtp')::boolean, (md.settings ->> 'enabled_smtp')::boolean, true) AS enabled_smtp
          FROM mailboxes m
          JOIN domains d ON d.id = m.domain_id
          LEFT JOIN mailbox_overrides mo ON mo.mailbox_id = m.id
          LEFT JOIN mailbox_defaults md ON md.id = 1
          CROSS JOIN LATERAL (
            SELECT COALESCE((mo.settings ->> 'quota_bytes')::numeric::bigint, m.quota_bytes,
                            (md.settings ->> 'quota_bytes')::numeric::bigint, ${DEFAULT_QUOTA_BYTES}::bigint) AS bytes
          ) q
         WHERE m.active AND d.active`);

    // Roles are cluster-wide: another database (or a concurrent migration) may have made it already.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${MAILSTACK_ROLE}') THEN
          CREATE ROLE ${MAILSTACK_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END
      $$`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${MAILSTACK_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${MAILSTACK_ROLE}`);
    await q.query(`REVOKE ALL ON SCHEMA mailstack FROM PUBLIC`);
    await q.query(`GRANT USAGE ON SCHEMA mailstack TO ${MAILSTACK_ROLE}`);
    await q.query(`GRANT SELECT ON ALL TABLES IN SCHEMA mailstack TO ${MAILSTACK_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The role stays: other databases of the cluster may still use it.
    await q.query(`DROP SCHEMA IF EXISTS mailstack CASCADE`);
  }
}
