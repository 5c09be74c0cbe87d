import type { MigrationInterface, QueryRunner } from 'typeorm';
import { usersView } from './1764400000001-MailboxVacation.js';

const DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024;
const VMAIL_BASE = '/var/vmail';
/** A suspended tenant's objects are in no view (TenantSuspension1764000000002). */
const TENANT_ACTIVE = 'EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)';
/** Built-in defaults of MAILBOX_FIELDS (libs/contracts/src/config/config-fields.ts). */
const SPAM_THRESHOLD = 5;
const SPAM_ACTION = 'junk';
const AUTO_JUNK_THRESHOLD = 10;

/**
 * The mailbox's spam settings reach Dovecot as userdb fields of mailstack.users; the platform's Sieve
 * script (scripts/lib/mailstack.sh, ms__sieve_before) compares them with the score Rspamd wrote into
 * X-Mailplane-Spam-Score and tags (subject) or files into Junk at delivery, per mailbox, live.
 * Scores are centi-points (integers) because Sieve compares numbers as digit strings.
 * Resolution as resolveMailboxSettings: spam_threshold and spam_action from the mailbox's overrides, then
 * the domain's overrides, then the mailbox defaults, then the built-in default; auto_junk_threshold from
 * the mailbox's overrides, then the mailbox defaults.
 */
export class MailboxSpamDelivery1764500000001 implements MigrationInterface {
  name = 'MailboxSpamDelivery1764500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW mailstack.users WITH (security_barrier = true) AS
        SELECT m.address AS username,
               d.name AS domain,
               m.password_hash AS password,
               '${VMAIL_BASE}/' || d.name || '/' || m.local_part AS home,
               d.name || '/' || m.local_part || '/' AS maildir,
               CASE WHEN q.bytes > 0 THEN '*:bytes=' || q.bytes END AS quota_rule,
               COALESCE((mo.settings ->> 'enabled_imap')::boolean, (md.settings ->> 'enabled_imap')::boolean, true) AS enabled_imap,
               COALESCE((mo.settings ->> 'enabled_pop3')::boolean, (md.settings ->> 'enabled_pop3')::boolean, true) AS enabled_pop3,
               COALESCE((mo.settings ->> 'enabled_smtp')::boolean, (md.settings ->> 'enabled_smtp')::boolean, true) AS enabled_smtp,
               CASE WHEN COALESCE((mo.settings ->> 'vacation_enabled')::boolean, (md.settings ->> 'vacation_enabled')::boolean, false)
                    THEN '1' ELSE '0' END AS vacation,
               COALESCE(mo.settings ->> 'vacation_message', md.settings ->> 'vacation_message') AS vacation_message,
               round(100 * COALESCE((mo.settings ->> 'spam_threshold')::numeric, (dov.settings ->> 'spam_threshold')::numeric,
                                    (md.settings ->> 'spam_threshold')::numeric, ${SPAM_THRESHOLD}))::integer AS spam_threshold,
               COALESCE(mo.settings ->> 'spam_action', dov.settings ->> 'spam_action', md.settings ->> 'spam_action', '${SPAM_ACTION}') AS spam_action,
               round(100 * COALESCE((mo.settings ->> 'auto_junk_threshold')::numeric, (md.settings ->> 'auto_junk_threshold')::numeric,
                                    ${AUTO_JUNK_THRESHOLD}))::integer AS auto_junk_threshold
          FROM mailboxes m
          JOIN domains d ON d.id = m.domain_id
          LEFT JOIN mailbox_overrides mo ON mo.mailbox_id = m.id
          LEFT JOIN mailbox_defaults md ON md.id = 1
          LEFT JOIN domain_overrides dov ON dov.domain_id = d.id
          CROSS JOIN LATERAL (
            SELECT COALESCE((mo.settings ->> 'quota_bytes')::numeric::bigint, m.quota_bytes,
                            (md.settings ->> 'quota_bytes')::numeric::bigint, ${DEFAULT_QUOTA_BYTES}::bigint) AS bytes
          ) q
         WHERE m.active AND d.active AND ${TENANT_ACTIVE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW mailstack.users`);
    await q.query(usersView(true));
    await q.query(`GRANT SELECT ON mailstack.users TO mailplane_mailstack`);
  }
}
