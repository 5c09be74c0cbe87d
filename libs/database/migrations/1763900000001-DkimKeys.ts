import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DkimKeys1763900000001 implements MigrationInterface {
  name = 'DkimKeys1763900000001';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
