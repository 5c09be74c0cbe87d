import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '#database';
import { containsPattern, listMeta, orderBy, pageClause, resolvePage, SqlWhere, totalOf } from '#common';
import { isUuid, MAILBOX_FIELDS, type ListTenantsQueryDto, type TenantLimitField, type TenantUsageDto } from '#contracts';

export interface TenantRow {
  id: string;
  name: string;
  active: boolean;
  max_domains: number | null;
  max_mailboxes: number | null;
  max_aliases: number | null;
  storage_bytes: string | null;
  created_at: Date;
  updated_at: Date;
  total?: string;
}

export type TenantWrite = Partial<Pick<TenantRow, 'name' | 'active' | 'max_domains' | 'max_mailboxes' | 'max_aliases'>> & { storage_bytes?: number | null };

const COLUMNS = 'id, name, active, max_domains, max_mailboxes, max_aliases, storage_bytes, created_at, updated_at';
const SORT_COLUMNS = { name: 'name', created_at: 'created_at', updated_at: 'updated_at', active: 'active' } as const;
/** The only columns a write may name (the keys of the DTOs, checked again here). */
const WRITABLE = new Set(['name', 'active', 'max_domains', 'max_mailboxes', 'max_aliases', 'storage_bytes']);

export type TenantWithUsage = TenantRow & { usage: TenantUsageDto };

/**
 * Counts and allotted storage of the tenant `t.id`, as a LATERAL join on any row source aliased `t`
 * (the list's page, or one id): the one definition of usage. Storage is the sum of the mailboxes'
 * effective quotas, computed as TenantLimits does (mailbox override, the row's quota_bytes, mailbox
 * defaults, 1 GiB), so it is the figure storage_bytes is enforced against; unlimited (0) quotas are
 * counted apart. The 1 GiB fallback is a code constant, inlined so the fragment needs no parameter.
 */
const USAGE_OF_T = `CROSS JOIN LATERAL (
  SELECT (SELECT count(*) FROM domains WHERE tenant_id = t.id) AS usage_domains,
         (SELECT count(*) FROM aliases WHERE tenant_id = t.id) AS usage_aliases,
         count(q.bytes) AS usage_mailboxes,
         sum(q.bytes) FILTER (WHERE q.bytes > 0) AS usage_storage,
         count(*) FILTER (WHERE q.bytes = 0) AS usage_unlimited
    FROM (SELECT coalesce((o.settings->>'quota_bytes')::numeric::bigint, m.quota_bytes,
                          (SELECT (settings->>'quota_bytes')::numeric::bigint FROM mailbox_defaults WHERE id = 1),
                          ${Number(MAILBOX_FIELDS.quota_bytes.default)}::bigint) AS bytes
            FROM mailboxes m LEFT JOIN mailbox_overrides o ON o.mailbox_id = m.id
           WHERE m.tenant_id = t.id) q
) u`;

interface UsageColumns {
  usage_domains: string;
  usage_mailboxes: string;
  usage_aliases: string;
  usage_storage: string | null;
  usage_unlimited: string;
}

function usageOf(u: UsageColumns): TenantUsageDto {
  return {
    domains: Number(u.usage_domains),
    mailboxes: Number(u.usage_mailboxes),
    aliases: Number(u.usage_aliases),
    storage_bytes: Number(u.usage_storage ?? 0),
    unlimited_mailboxes: Number(u.usage_unlimited),
  };
}

function stripUsage(r: TenantRow & UsageColumns): TenantRow {
  const { usage_domains: _d, usage_mailboxes: _m, usage_aliases: _a, usage_storage: _s, usage_unlimited: _u, ...row } = r;
  return row;
}

export class UniqueNameViolation extends Error {}

const isUniqueViolation = (err: unknown) => (err as { code?: string; driverError?: { code?: string } }).code === '23505'
  || (err as { driverError?: { code?: string } }).driverError?.code === '23505';

/** SQL for tenants (identity data, owned by the gateway: DESIGN §1). */
@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  /** One page, each tenant with its usage: one statement (usage is a LATERAL over the page's rows only). */
  async list(q: ListTenantsQueryDto): Promise<{ rows: TenantWithUsage[]; meta: ReturnType<typeof listMeta> }> {
    const page = resolvePage(q, { sort: 'name', order: 'asc' });
    const where = new SqlWhere();
    if (q.search) where.add('name ILIKE ?', containsPattern(q.search));
    if (q.active !== undefined) where.add('active = ?', q.active);
    const order = orderBy(SORT_COLUMNS, page);
    // The outer ORDER BY again: a join does not keep the subquery's order.
    const rows: (TenantRow & UsageColumns)[] = await this.ds.query(
      `SELECT t.*, u.* FROM (SELECT ${COLUMNS}, count(*) OVER () AS total FROM tenants ${where} ${order} ${pageClause(where)}) t ${USAGE_OF_T} ${order}`,
      [...where.params, page.limit, page.offset],
    );
    const total = await totalOf(rows, page.offset, async () => {
      const c: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM tenants ${where}`, where.params);
      return Number(c[0].n);
    });
    return { rows: rows.map((r) => ({ ...stripUsage(r), usage: usageOf(r) })), meta: listMeta(page, total) };
  }

  /** By UUID or by name; `lock` takes the row FOR UPDATE (inside a transaction). */
  async find(ref: string, db: DataSource | EntityManager = this.ds, lock = false): Promise<TenantRow | undefined> {
    const column = isUuid(ref) ? 'id' : 'name';
    const rows: TenantRow[] = await db.query(`SELECT ${COLUMNS} FROM tenants WHERE ${column} = $1${lock ? ' FOR UPDATE' : ''}`, [ref]);
    return rows[0];
  }

  async insert(values: TenantWrite & { name: string }): Promise<TenantRow> {
    const cols = Object.keys(values).filter((k) => WRITABLE.has(k));
    try {
      const rows: TenantRow[] = await this.ds.query(
        `INSERT INTO tenants (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING ${COLUMNS}`,
        cols.map((c) => values[c as keyof TenantWrite]),
      );
      return rows[0];
    } catch (err) {
      if (isUniqueViolation(err)) throw new UniqueNameViolation();
      throw err;
    }
  }

  async update(tx: EntityManager, id: string, values: TenantWrite): Promise<TenantRow> {
    const cols = Object.keys(values).filter((k) => WRITABLE.has(k));
    try {
      const result: unknown = await tx.query(
        `UPDATE tenants SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')}${cols.length ? ', ' : ''}updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, ...cols.map((c) => values[c as keyof TenantWrite])],
      );
      return rowsOf<TenantRow>(result)[0];
    } catch (err) {
      if (isUniqueViolation(err)) throw new UniqueNameViolation();
      throw err;
    }
  }

  /** The usage of one tenant (the same LATERAL as the list). */
  async usage(id: string, db: DataSource | EntityManager = this.ds): Promise<TenantUsageDto> {
    const [u]: UsageColumns[] = await db.query(`SELECT u.* FROM (SELECT $1::uuid AS id) t ${USAGE_OF_T}`, [id]);
    return usageOf(u);
  }

  /** Limits current usage already exceeds (storage: any unlimited mailbox exceeds a finite cap). */
  static overLimits(t: TenantRow, u: TenantUsageDto): TenantLimitField[] {
    const over: TenantLimitField[] = [];
    if (t.max_domains !== null && u.domains > t.max_domains) over.push('max_domains');
    if (t.max_mailboxes !== null && u.mailboxes > t.max_mailboxes) over.push('max_mailboxes');
    if (t.max_aliases !== null && u.aliases > t.max_aliases) over.push('max_aliases');
    if (t.storage_bytes !== null && (u.unlimited_mailboxes > 0 || u.storage_bytes > Number(t.storage_bytes))) over.push('storage_bytes');
    return over;
  }

  /**
   * Everything the tenant owns, children first, then the tenant (inside the caller's transaction).
   * mail_addresses has no foreign key (it is shared by mailboxes and aliases), so its rows go by owner.
   */
  async deleteCascade(tx: EntityManager, id: string): Promise<void> {
    await tx.query(
      `DELETE FROM mail_addresses WHERE owner_id IN (SELECT id FROM mailboxes WHERE tenant_id = $1 UNION ALL SELECT id FROM aliases WHERE tenant_id = $1)`,
      [id],
    );
    await tx.query(`DELETE FROM aliases WHERE tenant_id = $1`, [id]);
    await tx.query(`DELETE FROM mailboxes WHERE tenant_id = $1`, [id]);
    await tx.query(`DELETE FROM dkim_keys WHERE tenant_id = $1`, [id]);
    await tx.query(`DELETE FROM domains WHERE tenant_id = $1`, [id]);
    await tx.query(`DELETE FROM api_keys WHERE tenant_id = $1`, [id]);
    await tx.query(`DELETE FROM accounts WHERE tenant_id = $1`, [id]);
    await tx.query(`DELETE FROM tenants WHERE id = $1`, [id]);
  }
}
