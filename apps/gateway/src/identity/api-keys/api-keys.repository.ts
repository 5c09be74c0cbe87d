import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { containsPattern, listMeta, orderBy, pageClause, resolvePage, SqlWhere, totalOf } from '#common';
import { rowsOf } from '#database';
import type { ListApiKeysQueryDto } from './dto/api-key.dto.js';

const COLUMNS = `id, key_id, name, account_id, tenant_id, scopes, domain_allowlist, ip_allowlist, expires_at, last_used_at, last_used_ip, revoked_at, created_by_key_id, rate_limit_per_min, created_at`;
const SORT_COLUMNS = { name: 'name', created_at: 'created_at', last_used_at: 'last_used_at' } as const;

export interface ApiKeyRow {
  id: string;
  key_id: string;
  name: string;
  account_id: string;
  tenant_id: string;
  scopes: string[];
  domain_allowlist: string[] | null;
  ip_allowlist: string[] | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
  revoked_at: Date | null;
  created_by_key_id: string | null;
  rate_limit_per_min: number | null;
  created_at: Date;
  total?: string;
}

/**
 * Which keys a caller may see: a restricted key only itself and what it minted; a domain admin its
 * own; a tenant caller its tenant's, never a platform admin's; a platform admin every key.
 */
export type KeyVisibility =
  { kind: 'minted-by'; keyId: string } | { kind: 'owned-by'; accountId: string } | { kind: 'tenant'; tenantId: string } | { kind: 'all' };

/** A key to insert: its settings, owner and lineage, and the hash of its secret. */
export type NewKeyRow = Omit<ApiKeyRow, 'id' | 'last_used_at' | 'last_used_ip' | 'revoked_at' | 'created_at' | 'total'> & { secret_sha256: string };

export type KeySettings = Pick<ApiKeyRow, 'name' | 'scopes' | 'domain_allowlist' | 'ip_allowlist' | 'expires_at' | 'rate_limit_per_min'>;

/** SQL of API keys. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(k: NewKeyRow): Promise<ApiKeyRow> {
    const rows: ApiKeyRow[] = await this.ds.query(
      `INSERT INTO api_keys (key_id, secret_sha256, name, account_id, tenant_id, scopes, domain_allowlist, ip_allowlist, expires_at, created_by_key_id, rate_limit_per_min)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
      [
        k.key_id,
        k.secret_sha256,
        k.name,
        k.account_id,
        k.tenant_id,
        k.scopes,
        k.domain_allowlist,
        k.ip_allowlist,
        k.expires_at,
        k.created_by_key_id,
        k.rate_limit_per_min,
      ],
    );
    return rows[0];
  }

  /** The live key's settings; undefined when it was revoked meanwhile. */
  async update(id: string, k: KeySettings): Promise<ApiKeyRow | undefined> {
    return rowsOf<ApiKeyRow>(
      await this.ds.query(
        `UPDATE api_keys SET name = $2, scopes = $3, domain_allowlist = $4, ip_allowlist = $5, expires_at = $6, rate_limit_per_min = $7
          WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
        [id, k.name, k.scopes, k.domain_allowlist, k.ip_allowlist, k.expires_at, k.rate_limit_per_min],
      ),
    )[0];
  }

  /** A new key id and secret for a live key; undefined when it was revoked meanwhile. */
  async rotate(id: string, keyId: string, secretSha256: string): Promise<ApiKeyRow | undefined> {
    return rowsOf<ApiKeyRow>(
      await this.ds.query(`UPDATE api_keys SET key_id = $2, secret_sha256 = $3 WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`, [
        id,
        keyId,
        secretSha256,
      ]),
    )[0];
  }

  async list(visible: KeyVisibility, q: ListApiKeysQueryDto): Promise<{ rows: ApiKeyRow[]; meta: ReturnType<typeof listMeta> }> {
    const page = resolvePage(q, { sort: 'created_at', order: 'desc' });
    const where = whereVisible(visible);
    if (q.search) where.add(`name ILIKE ?`, containsPattern(q.search));
    const rows: ApiKeyRow[] = await this.ds.query(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM api_keys ${where} ${orderBy(SORT_COLUMNS, page)} ${pageClause(where)}`,
      [...where.params, page.limit, page.offset],
    );
    const total = await totalOf(rows, page.offset, async () => {
      const c: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM api_keys ${where}`, where.params);
      return Number(c[0].n);
    });
    return { rows, meta: listMeta(page, total) };
  }

  async find(visible: KeyVisibility, id: string): Promise<ApiKeyRow | undefined> {
    const where = whereVisible(visible).add('id = ?', id);
    const rows: ApiKeyRow[] = await this.ds.query(`SELECT ${COLUMNS} FROM api_keys ${where}`, where.params);
    return rows[0];
  }

  /** Revokes the key and every key minted from it, directly or further down; their key ids. */
  async revokeTree(id: string): Promise<string[]> {
    const revoked = rowsOf<{ key_id: string }>(
      await this.ds.query(
        `WITH RECURSIVE tree AS (
           SELECT id FROM api_keys WHERE id = $1
           UNION SELECT k.id FROM api_keys k JOIN tree t ON k.created_by_key_id = t.id)
         UPDATE api_keys SET revoked_at = now() WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL RETURNING key_id`,
        [id],
      ),
    );
    return revoked.map((r) => r.key_id);
  }

  /** The live key that minted this one (`parent`) and the live keys it minted (`child`). */
  lineage(id: string, parentId: string | null): Promise<(ApiKeyRow & { rel: 'parent' | 'child' })[]> {
    return this.ds.query(
      `SELECT ${COLUMNS}, 'parent' AS rel FROM api_keys WHERE id = $2 AND revoked_at IS NULL
       UNION ALL SELECT ${COLUMNS}, 'child' AS rel FROM api_keys WHERE created_by_key_id = $1 AND revoked_at IS NULL`,
      [id, parentId],
    );
  }
}

function whereVisible(v: KeyVisibility): SqlWhere {
  const where = new SqlWhere();
  if (v.kind === 'minted-by') {
    const self = where.param(v.keyId);
    where.raw(`(id = ${self} OR created_by_key_id = ${self})`);
  } else if (v.kind === 'owned-by') {
    where.add('account_id = ?', v.accountId);
  } else if (v.kind === 'tenant') {
    where.add('tenant_id = ?', v.tenantId);
    where.raw(`account_id IN (SELECT id FROM accounts WHERE role <> 'platform_admin')`);
  }
  return where;
}
