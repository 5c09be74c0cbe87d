import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Jobs1763900000000 implements MigrationInterface {
  name = 'Jobs1763900000000';

  async up(_q: QueryRunner): Promise<void> {}

  async down(_q: QueryRunner): Promise<void> {}
}
