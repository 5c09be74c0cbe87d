import type { MigrationInterface, QueryRunner } from 'typeorm';

const VIEWS = ['virtual_domains', 'virtual_mailboxes', 'virtual_aliases', 'transport', 'users'];

/**
 * Postfix looks up virtual_alias_maps (`user@d`, then `@d`) before virtual_mailbox_maps, so with a
 * catch-all every existing mailbox's mail would go to the catch-all. Each active mailbox therefore
 * also maps to itself in virtual_aliases. And every view becomes a security barrier, so the
 * read-only role cannot push a function below a view's filters to see inactive rows.
 */
export class MailstackAliasesFirstMatch1763800000002 implements MigrationInterface {
  name = 'MailstackAliasesFirstMatch1763800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE VIEW mailstack.virtual_aliases AS
        SELECT a.source, dest.destination
          FROM aliases a JOIN domains d ON d.id = a.domain_id
          CROSS JOIN LATERAL unnest(a.destinations) AS dest(destination)
         WHERE a.active AND d.active
        UNION ALL
        SELECT m.address, m.address
          FROM mailboxes m JOIN domains d ON d.id = m.domain_id
         WHERE m.active AND d.active`);
    for (const view of VIEWS) await q.query(`ALTER VIEW mailstack.${view} SET (security_barrier = true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const view of VIEWS) await q.query(`ALTER VIEW mailstack.${view} RESET (security_barrier)`);
    await q.query(`
      CREATE OR REPLACE VIEW mailstack.virtual_aliases AS
        SELECT a.source, dest.destination
          FROM aliases a JOIN domains d ON d.id = a.domain_id
          CROSS JOIN LATERAL unnest(a.destinations) AS dest(destination)
         WHERE a.active AND d.active`);
  }
}
