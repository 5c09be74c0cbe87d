import type { MigrationInterface, QueryRunner } from 'typeorm';
import { MAIL_NODE_ROLE } from './1764200000000-MailNodeRole.js';

/**
 * The mail node's role also reads what Rspamd's maps are rendered from (the white/blacklists and the
 * mailboxes whose own overrides set spam fields: address and state only, never the password hash), and
 * the two views the policy service reads.
 */
export class MailNodeAntispamReads1764500000004 implements MigrationInterface {
  name = 'MailNodeAntispamReads1764500000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT ON antispam_entries, mailbox_overrides, mailbox_defaults TO ${MAIL_NODE_ROLE}`);
    await q.query(`GRANT SELECT (id, address, domain_id, active) ON mailboxes TO ${MAIL_NODE_ROLE}`);
    await q.query(`GRANT USAGE ON SCHEMA mailstack TO ${MAIL_NODE_ROLE}`);
    await q.query(`GRANT SELECT ON mailstack.sending_limits, mailstack.domain_limits TO ${MAIL_NODE_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE SELECT ON mailstack.sending_limits, mailstack.domain_limits FROM ${MAIL_NODE_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA mailstack FROM ${MAIL_NODE_ROLE}`);
    await q.query(`REVOKE SELECT (id, address, domain_id, active) ON mailboxes FROM ${MAIL_NODE_ROLE}`);
    await q.query(`REVOKE SELECT ON antispam_entries, mailbox_overrides, mailbox_defaults FROM ${MAIL_NODE_ROLE}`);
  }
}
