import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * White/blacklist entries of one domain, managed by its tenant's and domain admins (domain_id set);
 * platform entries keep domain_id NULL. An entry is unique per list, type and value within its scope.
 */
export class DomainAntispamLists1764500000002 implements MigrationInterface {
  name = 'DomainAntispamLists1764500000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE antispam_entries ADD COLUMN domain_id uuid REFERENCES domains(id) ON DELETE CASCADE`);
    await q.query(`ALTER TABLE antispam_entries DROP CONSTRAINT antispam_entries_value_key`);
    await q.query(`ALTER TABLE antispam_entries ADD CONSTRAINT antispam_entries_value_key UNIQUE NULLS NOT DISTINCT (list, entry_type, value, domain_id)`);
    await q.query(`CREATE INDEX antispam_entries_domain_idx ON antispam_entries (domain_id) WHERE domain_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM antispam_entries WHERE domain_id IS NOT NULL`);
    await q.query(`ALTER TABLE antispam_entries DROP CONSTRAINT antispam_entries_value_key`);
    await q.query(`ALTER TABLE antispam_entries DROP COLUMN domain_id`);
    await q.query(`ALTER TABLE antispam_entries ADD CONSTRAINT antispam_entries_value_key UNIQUE (list, entry_type, value)`);
  }
}
