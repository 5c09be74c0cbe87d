import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the mail node's apps log in as (the deployment grants it LOGIN and a password). */
export const MAIL_NODE_ROLE = 'mailplane_node';
/** What reconcile reads: global settings and the DKIM signing keys of served domains. */
const READ_TABLES = ['global_config', 'dkim_keys', 'domains', 'domain_overrides', 'domain_defaults', 'tenants'];

/**
 * The mail node sits on the internet-facing host (SMTP, IMAP): it gets a role that can read what
 * reconcile needs and keep its jobs' status rows, and nothing else (no accounts, API keys, tokens,
 * audit log, mailbox passwords), instead of the owner's read-write DATABASE_URL.
 */
export class MailNodeRole1764200000000 implements MigrationInterface {
  name = 'MailNodeRole1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: another database (or a concurrent migration) may have made it already.
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${MAIL_NODE_ROLE}') THEN
          CREATE ROLE ${MAIL_NODE_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END
      $$`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${MAIL_NODE_ROLE}`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${MAIL_NODE_ROLE}`);
    await q.query(`GRANT SELECT ON ${READ_TABLES.join(', ')} TO ${MAIL_NODE_ROLE}`);
    // Job status: the node worker marks its reconciles active/completed/failed and queues automatic ones.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO ${MAIL_NODE_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The role stays: other databases of the cluster may still use it.
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${MAIL_NODE_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${MAIL_NODE_ROLE}`);
  }
}
