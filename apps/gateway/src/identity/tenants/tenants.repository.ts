import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '#database';
import { containsPattern, listMeta, orderBy, pageClause, resolvePage, SqlWhere, totalOf } from '#common';
import { isUuid, type ListTenantsQueryDto, type TenantLimitField, type TenantUsageDto } from '#contracts';

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

export class UniqueNameViolation extends Error {}
/** The tenant is still referenced by a row another service owns (it was created meanwhile). */
export class ForeignKeyViolation extends Error {}

const sqlState = (err: unknown) => (err as { code?: string }).code ?? (err as { driverError?: { code?: string } }).driverError?.code;
const isUniqueViolation = (err: unknown) => sqlState(err) === '23505';

/** SQL for tenants, accounts' and keys' tenant-wide rows (identity data, owned by the gateway; docs/architecture.md). */
@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  /** One page of tenants (usage comes from the services that own the counted rows). */
  async list(q: ListTenantsQueryDto): Promise<{ rows: TenantRow[]; meta: ReturnType<typeof listMeta> }> {
    const page = resolvePage(q, { sort: 'name', order: 'asc' });
    const where = new SqlWhere();
    if (q.search) where.add('name ILIKE ?', containsPattern(q.search));
    if (q.active !== undefined) where.add('active = ?', q.active);
    const rows: TenantRow[] = await this.ds.query(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM tenants ${where} ${orderBy(SORT_COLUMNS, page)} ${pageClause(where)}`,
      [...where.params, page.limit, page.offset],
    );
    const total = await totalOf(rows, page.offset, async () => {
      const c: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM tenants ${where}`, where.params);
      return Number(c[0].n);
    });
    return { rows: rows.map(({ total: _t, ...r }) => r), meta: listMeta(page, total) };
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
   * The tenant's accounts and keys (refresh tokens, TOTP and delegations go with the accounts by
   * foreign key) and the tenant itself, inside the caller's transaction; the rows other services
   * own are gone by then (TenantDataClient.purge). A row still referencing the tenant fails the
   * delete (foreign key): reported as ForeignKeyViolation.
   */
  async deleteWithIdentities(tx: EntityManager, id: string): Promise<void> {
    try {
      await tx.query(`DELETE FROM api_keys WHERE tenant_id = $1`, [id]);
      await tx.query(`DELETE FROM accounts WHERE tenant_id = $1`, [id]);
      await tx.query(`DELETE FROM tenants WHERE id = $1`, [id]);
    } catch (err) {
      if (sqlState(err) === '23503') throw new ForeignKeyViolation();
      throw err;
    }
  }

  /** Marks the tenant inactive (before its data is purged, so nothing new lands meanwhile). */
  async deactivate(id: string): Promise<void> {
    await this.ds.query(`UPDATE tenants SET active = false, updated_at = now() WHERE id = $1 AND active`, [id]);
  }
}
