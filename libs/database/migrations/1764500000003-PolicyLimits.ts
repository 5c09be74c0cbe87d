import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A suspended tenant's objects are in no view (TenantSuspension1764000000002). */
const TENANT_ACTIVE = 'EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)';
/** Built-in defaults (libs/contracts/src/config/config-fields.ts). */
const SIZE = 25 * 1024 * 1024;
const SEND_PER_DAY = 1000;
const RECIPIENTS = 100;

/**
 * What the policy service (apps/policy-service) enforces at SMTP time, resolved in SQL as
 * resolveMailboxSettings / resolveDomainSettings do: a mailbox's max_send_per_day and
 * max_recipients_per_message (its overrides, then the mailbox defaults), and message_size_limit of a
 * mailbox (overrides, domain overrides, mailbox defaults, global) and of a domain (overrides, domain
 * defaults, global), never above the global message_size_limit.
 */
export class PolicyLimits1764500000003 implements MigrationInterface {
  name = 'PolicyLimits1764500000003';

  async up(q: QueryRunner): Promise<void> {
    const globalSize = `COALESCE((g.settings ->> 'message_size_limit')::numeric, ${SIZE})`;
    await q.query(`
      CREATE VIEW mailstack.sending_limits WITH (security_barrier = true) AS
        SELECT m.address AS username,
               COALESCE((mo.settings ->> 'max_send_per_day')::numeric, (md.settings ->> 'max_send_per_day')::numeric, ${SEND_PER_DAY})::integer
                 AS max_send_per_day,
               COALESCE((mo.settings ->> 'max_recipients_per_message')::numeric, (md.settings ->> 'max_recipients_per_message')::numeric, ${RECIPIENTS})::integer
                 AS max_recipients_per_message,
               LEAST(COALESCE((mo.settings ->> 'message_size_limit')::numeric, (dov.settings ->> 'message_size_limit')::numeric,
                              (md.settings ->> 'message_size_limit')::numeric, ${globalSize}), ${globalSize})::bigint AS message_size_limit
          FROM mailboxes m
          JOIN domains d ON d.id = m.domain_id
          LEFT JOIN mailbox_overrides mo ON mo.mailbox_id = m.id
          LEFT JOIN mailbox_defaults md ON md.id = 1
          LEFT JOIN domain_overrides dov ON dov.domain_id = d.id
          LEFT JOIN global_config g ON g.id = 1
         WHERE m.active AND d.active AND ${TENANT_ACTIVE}`);
    await q.query(`
      CREATE VIEW mailstack.domain_limits WITH (security_barrier = true) AS
        SELECT d.name AS domain,
               LEAST(COALESCE((dov.settings ->> 'message_size_limit')::numeric, (dd.settings ->> 'message_size_limit')::numeric, ${globalSize}),
                     ${globalSize})::bigint AS message_size_limit
          FROM domains d
          LEFT JOIN domain_overrides dov ON dov.domain_id = d.id
          LEFT JOIN domain_defaults dd ON dd.id = 1
          LEFT JOIN global_config g ON g.id = 1
         WHERE d.active AND ${TENANT_ACTIVE}`);
    await q.query(`GRANT SELECT ON mailstack.sending_limits, mailstack.domain_limits TO mailplane_mailstack`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW IF EXISTS mailstack.sending_limits, mailstack.domain_limits`);
  }
}
