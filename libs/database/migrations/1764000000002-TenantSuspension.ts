import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MAILSTACK_ROLE } from './1763800000001-MailstackViews.js';

const VIEWS = ['virtual_domains', 'virtual_mailboxes', 'virtual_aliases', 'transport', 'users'];
const DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024;
const VMAIL_BASE = '/var/vmail';

/** The definitions of 1763800000001/…0002 with `tenantActive` added to every filter. */
function views(tenantActive: string): Record<string, string> {
  return {
    virtual_domains: `
      SELECT d.name AS domain FROM domains d WHERE d.active${tenantActive}`,
    virtual_mailboxes: `
      SELECT m.address, d.name AS domain, d.name || '/' || m.local_part || '/' AS maildir
        FROM mailboxes m JOIN domains d ON d.id = m.domain_id
       WHERE m.active AND d.active${tenantActive}`,
    virtual_aliases: `
      SELECT a.source, dest.destination
        FROM aliases a JOIN domains d ON d.id = a.domain_id
        CROSS JOIN LATERAL unnest(a.destinations) AS dest(destination)
       WHERE a.active AND d.active${tenantActive}
      UNION ALL
      SELECT m.address, m.address
        FROM mailboxes m JOIN domains d ON d.id = m.domain_id
       WHERE m.active AND d.active${tenantActive}`,
    transport: `
      SELECT d.name AS domain, 'lmtp:unix:private/dovecot-lmtp'::text AS transport FROM domains d WHERE d.active${tenantActive}`,
    users: `
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
       WHERE m.active AND d.active${tenantActive}`,
  };
}

/**
 * A suspended tenant (tenants.active = false) takes its domains, mailboxes and aliases out of every
 * mail-stack view, so Postfix stops accepting mail for them and Dovecot stops logging them in,
 * without touching the rows (resuming brings everything back). Column lists are unchanged, so
 * CREATE OR REPLACE keeps the views' grants; security_barrier is set again all the same.
 */
export class TenantSuspension1764000000002 implements MigrationInterface {
  name = 'TenantSuspension1764000000002';

  async up(q: QueryRunner): Promise<void> {
    // A semi-join on tenants rather than a JOIN: single-table views stay auto-updatable, so a write by
    // the mail-stack role still fails on its missing privilege ("permission denied"), as before.
    await this.replace(q, ' AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.replace(q, '');
  }

  private async replace(q: QueryRunner, tenantActive: string): Promise<void> {
    for (const [view, sql] of Object.entries(views(tenantActive))) {
      await q.query(`CREATE OR REPLACE VIEW mailstack.${view} WITH (security_barrier = true) AS ${sql}`);
    }
    for (const view of VIEWS) await q.query(`GRANT SELECT ON mailstack.${view} TO ${MAILSTACK_ROLE}`);
  }
}
