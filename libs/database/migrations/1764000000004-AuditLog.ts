import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: one row per mutation through the gateway (incl. failures and auth events).
 * No foreign keys: entries must outlive the tenants, accounts and keys they mention.
 * Secrets are removed before insert (apps/gateway/src/audit/redaction.ts).
 */
export class AuditLog1764000000004 implements MigrationInterface {
  name = 'AuditLog1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        occurred_at timestamptz NOT NULL DEFAULT now(),
        tenant_id uuid,
        actor_type text NOT NULL CHECK (actor_type IN ('account', 'api_key', 'anonymous')),
        actor_account_id uuid,
        actor_email text,
        actor_key_id uuid,
        actor_key_name text,
        ip text NOT NULL,
        user_agent text,
        method text NOT NULL,
        path text NOT NULL,
        action text NOT NULL,
        resource text NOT NULL,
        resource_id text,
        status integer NOT NULL,
        error_code text,
        request_id text,
        changes jsonb,
        after jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_tenant_time ON audit_log (tenant_id, occurred_at DESC)`);
    await q.query(`CREATE INDEX audit_log_time ON audit_log (occurred_at)`);
    await q.query(`CREATE INDEX audit_log_actor_account ON audit_log (actor_account_id, occurred_at DESC)`);
    await q.query(`CREATE INDEX audit_log_actor_key ON audit_log (actor_key_id, occurred_at DESC)`);
    await q.query(`CREATE INDEX audit_log_actor_email ON audit_log (lower(actor_email), occurred_at DESC)`);
    await q.query(`CREATE INDEX audit_log_action ON audit_log (action text_pattern_ops, occurred_at DESC)`);
    await q.query(`CREATE INDEX audit_log_resource ON audit_log (resource, resource_id, occurred_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
  }
}
