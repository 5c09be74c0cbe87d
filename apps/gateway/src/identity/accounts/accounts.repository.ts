import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '#contracts';
import { rowsOf } from '#database';
import type { ListAccountsQueryDto } from './dto/account.dto.js';

export interface AccountRow {
  id: string;
  email: string;
  role: Role;
  tenant_id: string;
  active: boolean;
  last_login_at: Date | null;
  created_at: Date;
  updated_at: Date;
  delegated_domains: string[];
  ip_allowlist: string[] | null;
}

type Db = DataSource | EntityManager;

/** Delegated domain names come along with every row, sorted, so reads need one query. */
const SELECT = `SELECT a.id, a.email, a.role, a.tenant_id, a.active, a.last_login_at, a.created_at, a.updated_at, a.ip_allowlist,
       COALESCE((SELECT array_agg(d.name ORDER BY d.name) FROM account_domains ad JOIN domains d ON d.id = ad.domain_id
                  WHERE ad.account_id = a.id), '{}') AS delegated_domains
  FROM accounts a`;

export interface AccountWrite {
  email?: string;
  password_hash?: string;
  role?: Role;
  active?: boolean;
  ip_allowlist?: string[] | null;
}

@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  transaction<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  /** tenantId null = every tenant (platform admins); `withoutPlatformAdmins` for every other caller. */
  async list(tenantId: string | null, q: ListAccountsQueryDto, withoutPlatformAdmins = false): Promise<{ rows: AccountRow[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => where.push(sql.replace('?', `$${params.push(v)}`));
    if (tenantId) add('a.tenant_id = ?', tenantId);
    if (withoutPlatformAdmins) where.push(`a.role <> 'platform_admin'`);
    if (q.tenant_id) add('a.tenant_id::text = ?', q.tenant_id);
    if (q.role) add('a.role = ?', q.role);
    if (q.search) add(`a.email ILIKE ? ESCAPE '\\'`, `%${q.search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`);
    const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const limit = q.limit ?? 50;
    const offset = ((q.page ?? 1) - 1) * limit;
    const sort = q.sort ?? 'email';
    const order = q.order === 'desc' ? 'DESC' : 'ASC';
    const rows: AccountRow[] = await this.ds.query(`${SELECT}${w} ORDER BY a.${sort} ${order}, a.id LIMIT ${limit} OFFSET ${offset}`, params);
    const [{ n }]: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM accounts a${w}`, params);
    return { rows, total: Number(n) };
  }

  async find(id: string, tenantId: string | null, db: Db = this.ds, lock = false): Promise<AccountRow | undefined> {
    const params: unknown[] = [id];
    const scope = tenantId ? ` AND a.tenant_id = $${params.push(tenantId)}` : '';
    const rows: AccountRow[] = await db.query(`${SELECT} WHERE a.id = $1${scope}${lock ? ' FOR UPDATE OF a' : ''}`, params);
    return rows[0];
  }

  async insert(tx: EntityManager, tenantId: string, v: Required<AccountWrite>): Promise<string> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO accounts (tenant_id, email, password_hash, role, active, ip_allowlist) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [tenantId, v.email, v.password_hash, v.role, v.active, v.ip_allowlist],
    );
    return rows[0].id;
  }

  async update(tx: EntityManager, id: string, v: AccountWrite): Promise<void> {
    const cols = Object.entries(v).filter(([, val]) => val !== undefined);
    if (cols.length === 0) return;
    await tx.query(`UPDATE accounts SET ${cols.map(([c], i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`, [
      id,
      ...cols.map(([, val]) => val),
    ]);
  }

  async setDelegation(tx: EntityManager, id: string, domainIds: string[]): Promise<void> {
    await tx.query(`DELETE FROM account_domains WHERE account_id = $1`, [id]);
    if (domainIds.length) {
      await tx.query(`INSERT INTO account_domains (account_id, domain_id) SELECT $1, unnest($2::uuid[])`, [id, domainIds]);
    }
  }

  /** Domain ids for the given names/ids inside one tenant; refs that match nothing are returned as missing. */
  async resolveDomains(tx: EntityManager, tenantId: string, refs: string[]): Promise<{ ids: string[]; missing: string[] }> {
    const rows: { id: string; name: string }[] = await tx.query(
      `SELECT id::text, name FROM domains WHERE tenant_id = $1 AND (name = ANY($2::text[]) OR id::text = ANY($2::text[]))`,
      [tenantId, refs.map((r) => r.toLowerCase())],
    );
    const missing = refs.filter((r) => !rows.some((d) => d.name === r.toLowerCase() || d.id === r.toLowerCase()));
    return { ids: [...new Set(rows.map((d) => d.id))], missing };
  }

  /** Active platform admins, locked so two concurrent demotions cannot both pass the "last one" check. */
  async activePlatformAdmins(tx: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(`SELECT id FROM accounts WHERE role = 'platform_admin' AND active FOR UPDATE`);
    return rows.map((r) => r.id);
  }

  async findTenant(ref: string, db: Db = this.ds): Promise<{ id: string; name: string } | undefined> {
    const rows: { id: string; name: string }[] = await db.query(`SELECT id, name FROM tenants WHERE id::text = $1 OR name = $1`, [ref]);
    return rows[0];
  }

  async tenantName(id: string, db: Db = this.ds): Promise<string> {
    const rows: { name: string }[] = await db.query(`SELECT name FROM tenants WHERE id = $1`, [id]);
    return rows[0]?.name ?? '';
  }

  async passwordHash(id: string): Promise<string | undefined> {
    const rows: { password_hash: string }[] = await this.ds.query(`SELECT password_hash FROM accounts WHERE id = $1`, [id]);
    return rows[0]?.password_hash;
  }

  /** Every refresh token of the account (except one family, to keep the caller's own session). */
  async revokeRefreshTokens(db: Db, accountId: string, exceptFamily?: string): Promise<void> {
    await db.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR family_id <> $2::uuid)`,
      [accountId, exceptFamily ?? null],
    );
  }

  async revokeKeys(db: Db, accountId: string): Promise<number> {
    return rowsOf<{ id: string }>(
      await db.query(`UPDATE api_keys SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL RETURNING id`, [accountId]),
    ).length;
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.query(`DELETE FROM accounts WHERE id = $1`, [id]);
  }
}
