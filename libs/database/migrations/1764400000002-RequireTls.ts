import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A suspended tenant's objects are in no view (TenantSuspension1764000000002). */
const TENANT_ACTIVE = 'EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)';

/**
 * `require_tls_inbound` (domain) and `require_tls_client` (mailbox) as Postfix access maps: a row means
 * "refuse this over a plaintext session" (reject_plaintext_session; libs/mailstack/src/postfix). Live
 * lookups, no reload per change. Resolution as resolveDomainSettings / resolveMailboxSettings
 * (libs/contracts/src/config/config-resolver.ts): the object's overrides, then its defaults tier, then
 * false; the global tier holds neither field.
 */
export class RequireTls1764400000002 implements MigrationInterface {
  name = 'RequireTls1764400000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW mailstack.require_tls_inbound WITH (security_barrier = true) AS
        SELECT d.name AS domain
          FROM domains d
          LEFT JOIN domain_overrides dov ON dov.domain_id = d.id
          LEFT JOIN domain_defaults dd ON dd.id = 1
         WHERE d.active AND ${TENANT_ACTIVE}
           AND COALESCE((dov.settings ->> 'require_tls_inbound')::boolean, (dd.settings ->> 'require_tls_inbound')::boolean, false)`);
    await q.query(`
      CREATE VIEW mailstack.require_tls_client WITH (security_barrier = true) AS
        SELECT m.address AS username
          FROM mailboxes m
          JOIN domains d ON d.id = m.domain_id
          LEFT JOIN mailbox_overrides mo ON mo.mailbox_id = m.id
          LEFT JOIN mailbox_defaults md ON md.id = 1
         WHERE m.active AND d.active AND ${TENANT_ACTIVE}
           AND COALESCE((mo.settings ->> 'require_tls_client')::boolean, (md.settings ->> 'require_tls_client')::boolean, false)`);
    await q.query(`GRANT SELECT ON mailstack.require_tls_inbound, mailstack.require_tls_client TO mailplane_mailstack`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP VIEW IF EXISTS mailstack.require_tls_client`);
    await q.query(`DROP VIEW IF EXISTS mailstack.require_tls_inbound`);
  }
}
