import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A suspended tenant's objects are in no view (TenantSuspension1764000000002). */
const TENANT_ACTIVE = 'EXISTS (SELECT 1 FROM tenants t WHERE t.id = d.tenant_id AND t.active)';

/**
 * Mailbox forwarding through Postfix's virtual_alias_maps (no reload per change): an active mailbox maps
 * to each address of its effective `forward_to`, and to itself unless it forwards without
 * `forward_keep_copy`. A mailbox that forwards nowhere maps to itself only (catch-all precedence, see
 * MailstackAliasesFirstMatch1763800000002).
 *
 * Effective values follow resolveMailboxSettings (libs/contracts/src/config/config-resolver.ts): the
 * mailbox's overrides, then the mailbox defaults, then the built-in default ([] and true). Neither the
 * global nor the domain tier holds these two fields.
 */
export class MailboxForwarding1764400000000 implements MigrationInterface {
  name = 'MailboxForwarding1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW mailstack.virtual_aliases WITH (security_barrier = true) AS
        SELECT a.source, dest.destination
          FROM aliases a JOIN domains d ON d.id = a.domain_id
          CROSS JOIN LATERAL unnest(a.destinations) AS dest(destination)
         WHERE a.active AND d.active AND ${TENANT_ACTIVE}
        UNION ALL
        SELECT m.address, fwd.destination
          FROM mailboxes m
          JOIN domains d ON d.id = m.domain_id
          LEFT JOIN mailbox_overrides mo ON mo.mailbox_id = m.id
          LEFT JOIN mailbox_defaults md ON md.id = 1
          CROSS JOIN LATERAL (
            SELECT COALESCE(
                     CASE WHEN jsonb_typeof(mo.settings -> 'forward_to') = 'array' THEN mo.settings -> 'forward_to' END,
                     CASE WHEN jsonb_typeof(md.settings -> 'forward_to') = 'array' THEN md.settings -> 'forward_to' END,
                     '[]'::jsonb) AS targets,
                   COALESCE((mo.settings ->> 'forward_keep_copy')::boolean, (md.settings ->> 'forward_keep_copy')::boolean, true) AS keep_copy
          ) eff
          CROSS JOIN LATERAL (
            SELECT t.value AS destination FROM jsonb_array_elements_text(eff.targets) AS t(value)
            UNION
            SELECT m.address WHERE eff.keep_copy OR jsonb_array_length(eff.targets) = 0
          ) fwd
         WHERE m.active AND d.active AND ${TENANT_ACTIVE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW mailstack.virtual_aliases WITH (security_barrier = true) AS
        SELECT a.source, dest.destination
          FROM aliases a JOIN domains d ON d.id = a.domain_id
          CROSS JOIN LATERAL unnest(a.destinations) AS dest(destination)
         WHERE a.active AND d.active AND ${TENANT_ACTIVE}
        UNION ALL
        SELECT m.address, m.address
          FROM mailboxes m JOIN domains d ON d.id = m.domain_id
         WHERE m.active AND d.active AND ${TENANT_ACTIVE}`);
  }
}
