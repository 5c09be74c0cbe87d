import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The status of every BullMQ job, mirrored by the worker (the gateway reads it here, Redis only
 * carries the work). `id` is the BullMQ job id. A job's input may hold secrets (import passwords):
 * those stay in Redis, removed when the job ends; `result` holds only a redacted summary.
 * tenant_id null = a system job (reconcile), visible to platform admins only.
 */
export class Jobs1763900000000 implements MigrationInterface {
  name = 'Jobs1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        tenant_id uuid REFERENCES tenants(id) ON DELETE CASCADE,
        created_by uuid,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'active', 'completed', 'failed', 'cancelled')),
        progress integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        result jsonb,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at DESC)`);
    await q.query(`CREATE INDEX jobs_state_created ON jobs (state, created_at DESC)`);
    await q.query(`CREATE INDEX jobs_type_created ON jobs (type, created_at DESC)`);
    await q.query(`CREATE INDEX jobs_created ON jobs (created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs`);
  }
}
