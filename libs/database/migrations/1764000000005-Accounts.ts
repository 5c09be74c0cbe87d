import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Delegation: the domains a domain_admin account manages (rows vanish with the account or the domain). */
export class Accounts1764000000005 implements MigrationInterface {
  name = 'Accounts1764000000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_domains (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        domain_id uuid NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
        PRIMARY KEY (account_id, domain_id)
      )`);
    await q.query(`CREATE INDEX account_domains_domain_idx ON account_domains (domain_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_domains`);
  }
}
