import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The object's state before a change (read through the caller's own GET), beside `after`. */
export class AuditBefore1764100000000 implements MigrationInterface {
  name = 'AuditBefore1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN before jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP COLUMN before`);
  }
}
