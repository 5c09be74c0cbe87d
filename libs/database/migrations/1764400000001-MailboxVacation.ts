import type { MigrationInterface, QueryRunner } from 'typeorm';

const DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024;
const VMAIL_BASE = '/var/vmail';
/** A suspended tenant's objects are in no view (TenantSuspension1764000000002). */
const TENANT_ACTIVE = 'EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)';

/**
 * `vacation_enabled` / `vacation_message` reach Dovecot as userdb fields of mailstack.users, which the
 * platform's Sieve script (scripts/lib/mailstack.sh, ms__sieve_before) reads at delivery: no file per
 * mailbox and no reload per change. Resolution as resolveMailboxSettings: the mailbox's overrides, then
 * the mailbox defaults, then the built-in default (false / null); neither the global nor the domain
 * tier holds these fields.
 */
export class MailboxVacation1764400000001 implements MigrationInterface {
  name = 'MailboxVacation1764400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(usersView(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW mailstack.users`);
    await q.query(usersView(false));
    await q.query(`GRANT SELECT ON mailstack.users TO mailplane_mailstack`);
  }
}

export function usersView(vacation: boolean): string {
  const extra = vacation
    ? `,
               CASE WHEN COALESCE((mo.settings ->> 'vacation_enabled')::boolean, (md.settings ->> 'vacation_enabled')::boolean, false)
                    THEN '1' ELSE '0' END AS vacation,
               COALESCE(mo.settings ->> 'vacation_message', md.settings ->> 'vacation_message') AS vacation_message`
    : '';
  return `
      CREATE OR REPLACE VIEW mailstack.users WITH (security_barrier = true) AS
        SELECT m.address AS username,
               d.name AS domain,
               m.password_hash AS password,
               '${VMAIL_BASE}/' || d.name || '/' || m.local_part AS home,
               d.name || '/' || m.local_part || '/' AS maildir,
               CASE WHEN q.bytes > 0 THEN '*:bytes=' || q.bytes END AS quota_rule,
               COALESCE((mo.settings ->> 'enabled_imap')::boolean, (md.settings ->> 'enabled_imap')::boolean, true) AS enabled_imap,
               COALESCE((mo.settings ->> 'enabled_pop3')::boolean, (md.settings ->> 'enabled_pop3')::boolean, true) AS enabled_pop3,
               COALESCE((mo.settings ->> 'enabled_smtp')::boolean, (md.settings ->> 'enabled_smtp')::boolean, true) AS enabled_smtp${extra}
          FROM mailboxes m
          JOIN domains d ON d.id = m.domain_id
          LEFT JOIN mailbox_overrides mo ON mo.mailbox_id = m.id
          LEFT JOIN mailbox_defaults md ON md.id = 1
          CROSS JOIN LATERAL (
            SELECT COALESCE((mo.settings ->> 'quota_bytes')::numeric::bigint, m.quota_bytes,
                            (md.settings ->> 'quota_bytes')::numeric::bigint, ${DEFAULT_QUOTA_BYTES}::bigint) AS bytes
          ) q
         WHERE m.active AND d.active AND ${TENANT_ACTIVE}`;
}
