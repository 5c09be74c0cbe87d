import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { rowsOf } from '#database';
import { containsPattern, listMeta, orderBy, pageClause, resolvePage, SqlWhere, totalOf } from '#common';
import {
  domainNameToUnicode,
  isUuid,
  normalizeDomainName,
  type CallerContext,
  type DomainDto,
  type DomainSortField,
  type ListDomainsQueryDto,
  type Paginated,
} from '#contracts';

export const DOMAIN_COLUMNS = 'id, tenant_id, name, active, outgoing_ip, created_at, updated_at';
const SORT_COLUMNS: Record<DomainSortField, string> = { name: 'name', created_at: 'created_at', updated_at: 'updated_at', active: 'active' };

export interface DomainRow {
  id: string;
  tenant_id: string;
  name: string;
  active: boolean;
  outgoing_ip: string;
  created_at: Date;
  updated_at: Date;
  total?: string;
}

export function toDomainDto(r: DomainRow): DomainDto {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    name: r.name,
    name_unicode: domainNameToUnicode(r.name),
    active: r.active,
    outgoing_ip: r.outgoing_ip,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

/** What a caller may see: its tenant (unless platform) and its key's allow-list. */
export function visibleTo(ctx: CallerContext): SqlWhere {
  const where = new SqlWhere();
  if (ctx.tenant_id) where.add('tenant_id = ?', ctx.tenant_id);
  if (ctx.domain_allowlist) where.add('name = ANY(?)', ctx.domain_allowlist);
  return where;
}

/** Adds "is this domain" by UUID or by (normalised) name; false when the ref cannot name a domain. */
export function matchRef(where: SqlWhere, ref: string): boolean {
  if (isUuid(ref)) {
    where.add('id = ?', ref.toLowerCase());
    return true;
  }
  const name = normalizeDomainName(ref);
  if (!name) return false;
  where.add('name = ?', name);
  return true;
}

@Injectable()
export class DomainsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(ctx: CallerContext, q: ListDomainsQueryDto): Promise<Paginated<DomainDto>> {
    const page = resolvePage(q, { sort: 'name', order: 'asc' });
    const where = visibleTo(ctx);
    if (q.tenant_id) where.add('tenant_id = ?', q.tenant_id);
    if (q.active !== undefined) where.add('active = ?', q.active);
    if (q.search) where.add('name ILIKE ?', containsPattern(normalizeDomainName(q.search) ?? q.search.toLowerCase()));
    const rows: DomainRow[] = await this.ds.query(
      `SELECT ${DOMAIN_COLUMNS}, count(*) OVER () AS total FROM domains ${where} ${orderBy(SORT_COLUMNS, page)} ${pageClause(where)}`,
      [...where.params, page.limit, page.offset],
    );
    const total = await totalOf(rows, page.offset, async () => {
      const c: { n: string }[] = await this.ds.query(`SELECT count(*) AS n FROM domains ${where}`, where.params);
      return Number(c[0].n);
    });
    return { data: rows.map(toDomainDto), meta: listMeta(page, total) };
  }

  /**
   * Inserts the domain unless the tenant's max_domains is reached (then answers that limit), or
   * undefined when the tenant does not exist. The tenant row is locked FOR UPDATE in the transaction
   * that counts and inserts, so parallel creates against one free slot create exactly one domain.
   */
  async insert(tenantId: string, name: string, active: boolean, outgoingIp: string): Promise<{ row: DomainRow } | { maxDomains: number } | undefined> {
    return this.ds.transaction(async (tx) => {
      const t: { max_domains: number | null }[] = await tx.query(`SELECT max_domains FROM tenants WHERE id = $1 FOR UPDATE`, [tenantId]);
      if (!t[0]) return undefined;
      const max = t[0].max_domains;
      if (max !== null) {
        const [c]: { n: string }[] = await tx.query(`SELECT count(*) AS n FROM domains WHERE tenant_id = $1`, [tenantId]);
        if (Number(c.n) >= max) return { maxDomains: max };
      }
      const rows: DomainRow[] = await tx.query(
        `INSERT INTO domains (tenant_id, name, active, outgoing_ip) VALUES ($1, $2, $3, $4) RETURNING ${DOMAIN_COLUMNS}`,
        [tenantId, name, active, outgoingIp],
      );
      return { row: rows[0] };
    });
  }

  async findOne(ctx: CallerContext, ref: string): Promise<DomainRow | undefined> {
    const where = visibleTo(ctx);
    if (!matchRef(where, ref)) return undefined;
    const rows: DomainRow[] = await this.ds.query(`SELECT ${DOMAIN_COLUMNS} FROM domains ${where}`, where.params);
    return rows[0];
  }

  async update(ctx: CallerContext, ref: string, changes: { active?: boolean; outgoing_ip?: string }): Promise<DomainRow | undefined> {
    const where = visibleTo(ctx);
    if (!matchRef(where, ref)) return undefined;
    const sets = ['updated_at = now()'];
    if (changes.active !== undefined) sets.push(`active = ${where.param(changes.active)}`);
    if (changes.outgoing_ip !== undefined) sets.push(`outgoing_ip = ${where.param(changes.outgoing_ip)}`);
    const rows = rowsOf<DomainRow>(await this.ds.query(`UPDATE domains SET ${sets.join(', ')} ${where} RETURNING ${DOMAIN_COLUMNS}`, where.params));
    return rows[0];
  }

  /**
   * Deletes the domain unless it still has mailboxes or aliases (then reports how many; mailbox-service
   * owns those and removes them first on a cascade). The row lock keeps new ones out meanwhile.
   */
  async delete(
    ctx: CallerContext,
    ref: string,
  ): Promise<{ row: DomainRow } | { blocked: { id: string; name: string; mailboxes: number; aliases: number } } | undefined> {
    const where = visibleTo(ctx);
    if (!matchRef(where, ref)) return undefined;
    return this.ds.transaction(async (tx) => {
      const found: { id: string; name: string }[] = await tx.query(`SELECT id, name FROM domains ${where} FOR UPDATE`, where.params);
      if (!found[0]) return undefined;
      const { id, name } = found[0];
      const [n]: { mailboxes: string; aliases: string }[] = await tx.query(
        `SELECT (SELECT count(*) FROM mailboxes WHERE domain_id = $1) AS mailboxes, (SELECT count(*) FROM aliases WHERE domain_id = $1) AS aliases`,
        [id],
      );
      const counts = { id, name, mailboxes: Number(n.mailboxes), aliases: Number(n.aliases) };
      if (counts.mailboxes + counts.aliases > 0) return { blocked: counts };
      const rows = rowsOf<DomainRow>(await tx.query(`DELETE FROM domains WHERE id = $1 RETURNING ${DOMAIN_COLUMNS}`, [id]));
      return { row: rows[0] };
    });
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenantId]);
    return rows.length > 0;
  }
}
