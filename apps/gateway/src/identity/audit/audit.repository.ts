import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { auditDiff } from './audit-diff.js';
import { storableJson, storableText } from './audit-storable.js';
import { DEFAULT_PAGE_LIMIT, type AuditEntryDto, type ListAuditQueryDto, type Paginated } from '#contracts';

/** One entry as the hooks build it; secrets already removed. */
export interface AuditRecord {
  tenant_id: string | null;
  actor_type: AuditEntryDto['actor']['type'];
  actor_account_id: string | null;
  actor_email: string | null;
  actor_key_id: string | null;
  ip: string;
  user_agent: string | null;
  method: string;
  path: string;
  action: string;
  resource: string;
  resource_id: string | null;
  status: number;
  error_code: string | null;
  request_id: string | null;
  changes: unknown;
  before: unknown;
  after: unknown;
  /** For a login without a principal: fill account id and tenant from this e-mail. */
  lookup_email: string | null;
}

/**
 * Who may see what: null tenant = all (platform admin); only_key = a domain-restricted key's own
 * entries; only_account = a domain-restricted account's (a domain_admin's) own entries.
 */
export interface AuditScope {
  tenant_id: string | null;
  only_key_id: string | null;
  only_account_id?: string | null;
}

/** A stored entry: the record as written (without the login lookup) plus what the insert filled in. */
interface Row extends Omit<AuditRecord, 'lookup_email' | 'changes' | 'before' | 'after'> {
  id: string;
  occurred_at: Date;
  actor_key_name: string | null;
  changes: Record<string, unknown> | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  total: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Fixed key for pg_try_advisory_xact_lock: one replica purges at a time. */
export const AUDIT_PURGE_LOCK = 0x6d70_6175; // 'mpau'

/**
 * Deletes entries older than `days`, if no other replica is doing it right now. One statement, so
 * the transaction-scoped advisory lock is held exactly as long as the delete. Returns rows deleted
 * (0 when another replica holds the lock).
 */
export async function purgeExpiredAudit(db: { query: (sql: string, params?: unknown[]) => Promise<unknown> }, days: number): Promise<number> {
  // A SELECT around the delete: query() then returns plain rows whatever the driver does with DELETE.
  const rows = (await db.query(
    `WITH lock AS (SELECT pg_try_advisory_xact_lock($2) AS got),
          del AS (DELETE FROM audit_log WHERE (SELECT got FROM lock) AND occurred_at < now() - make_interval(days => $1) RETURNING 1)
     SELECT count(*)::int AS n FROM del`,
    [days, AUDIT_PURGE_LOCK],
  )) as { n: number }[];
  return rows[0]?.n ?? 0;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Every text and jsonb value goes through audit-storable first: no input (NUL, a lone surrogate,
   * a 1 MiB body) can make this insert fail, so a failure here means the database is unwell.
   */
  async insert(record: AuditRecord): Promise<void> {
    const r = storableRecord(record);
    // The key's name and a login's account are looked up inside the insert: no extra round trip.
    await this.ds.query(
      `WITH login AS (SELECT id, tenant_id FROM accounts WHERE email = lower($18) LIMIT 1)
       INSERT INTO audit_log (tenant_id, actor_type, actor_account_id, actor_email, actor_key_id, actor_key_name, ip, user_agent,
                              method, path, action, resource, resource_id, status, error_code, request_id, changes, before, after)
       VALUES (COALESCE($1::uuid, (SELECT tenant_id FROM login)), $2, COALESCE($3::uuid, (SELECT id FROM login)), $4, $5::uuid,
               (SELECT name FROM api_keys WHERE id = $5::uuid), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $19::jsonb, $17::jsonb)`,
      [
        r.tenant_id,
        r.actor_type,
        r.actor_account_id,
        r.actor_email,
        r.actor_key_id,
        r.ip,
        r.user_agent,
        r.method,
        r.path,
        r.action,
        r.resource,
        r.resource_id,
        r.status,
        r.error_code,
        r.request_id,
        storableJson(r.changes),
        storableJson(r.after),
        r.lookup_email,
        storableJson(r.before),
      ],
    );
  }

  async list(scope: AuditScope, q: ListAuditQueryDto): Promise<Paginated<AuditEntryDto>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    // A tenant caller's tenant_id filter narrows within its own tenant (another tenant's id: nothing).
    if (scope.tenant_id) add((p) => `tenant_id = ${p}::uuid`, scope.tenant_id);
    if (q.tenant_id) add((p) => `tenant_id = ${p}::uuid`, q.tenant_id);
    if (scope.only_key_id) add((p) => `actor_key_id = ${p}::uuid`, scope.only_key_id);
    if (scope.only_account_id) add((p) => `actor_account_id = ${p}::uuid AND actor_key_id IS NULL`, scope.only_account_id);
    if (q.actor) {
      if (UUID.test(q.actor)) add((p) => `(actor_account_id = ${p}::uuid OR actor_key_id = ${p}::uuid)`, q.actor);
      else add((p) => `lower(actor_email) = lower(${p})`, q.actor);
    }
    if (q.action) {
      if (q.action.endsWith('.')) add((p) => `action LIKE ${p}`, q.action.replace(/[\\%_]/g, (c) => `\\${c}`) + '%');
      else add((p) => `action = ${p}`, q.action);
    }
    if (q.resource) add((p) => `resource = ${p}`, q.resource);
    if (q.resource_id) add((p) => `resource_id = ${p}`, q.resource_id);
    if (q.since) add((p) => `occurred_at >= ${p}::timestamptz`, q.since);
    if (q.until) add((p) => `occurred_at < ${p}::timestamptz`, q.until);
    const page = q.page ?? 1;
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    params.push(limit, (page - 1) * limit);
    const rows = (await this.ds.query(
      `SELECT *, count(*) OVER () AS total FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY occurred_at ${order}, id ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    )) as Row[];
    let total = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && page > 1) {
      const [c] = (await this.ds.query(`SELECT count(*) AS n FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, params.slice(0, -2))) as {
        n: string;
      }[];
      total = Number(c.n);
    }
    return { data: rows.map(toDto), meta: { page, limit, total } };
  }

  purge(days: number): Promise<number> {
    return purgeExpiredAudit(this.ds, days);
  }
}

/** The record with each free-text column storable (see audit-storable.ts); jsonb is cleaned at insert. */
function storableRecord(r: AuditRecord): AuditRecord {
  return {
    ...r,
    actor_email: storableText(r.actor_email, 320),
    ip: storableText(r.ip, 64) ?? '',
    user_agent: storableText(r.user_agent, 512),
    path: storableText(r.path) ?? '',
    resource_id: storableText(r.resource_id),
    error_code: storableText(r.error_code, 64),
    request_id: storableText(r.request_id, 128),
    lookup_email: storableText(r.lookup_email, 320),
  };
}

function toDto(r: Row): AuditEntryDto {
  return {
    id: r.id,
    occurred_at: new Date(r.occurred_at).toISOString(),
    tenant_id: r.tenant_id,
    actor: { type: r.actor_type, account_id: r.actor_account_id, email: r.actor_email, api_key_id: r.actor_key_id, api_key_name: r.actor_key_name },
    ip: r.ip,
    user_agent: r.user_agent,
    method: r.method,
    path: r.path,
    action: r.action,
    resource: r.resource,
    resource_id: r.resource_id,
    outcome: { status: r.status, error_code: r.error_code },
    request_id: r.request_id,
    changes: r.changes,
    before: r.before,
    after: r.after,
    diff: auditDiff(r.before, r.after),
  };
}
