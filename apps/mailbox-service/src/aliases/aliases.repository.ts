import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type DomainRef, matchDomainRef, rowsOf, visibleThroughDomain } from '#database';
import { containsPattern, listMeta, orderBy, resolvePage, SqlWhere, pageWithTotal } from '#common';
import {
  isUuid,
  normalizeDomainName,
  splitAddress,
  type AliasDto,
  type AliasSortField,
  type CallerContext,
  type ListAliasesQueryDto,
  type Paginated,
} from '#contracts';

const COLUMNS = 'a.id, a.tenant_id, a.domain_id, d.name AS domain, a.source, a.destinations, a.active, a.created_at, a.updated_at';
const SORT_COLUMNS: Record<AliasSortField, string> = { source: 'a.source', created_at: 'a.created_at', updated_at: 'a.updated_at' };
/** Alias writes take this transaction lock so two concurrent writes cannot close a loop together. */
const ALIAS_WRITE_LOCK = `SELECT pg_advisory_xact_lock(hashtext('mailplane.aliases.write'))`;

/** Runs `fn` in a transaction holding the alias write lock (loop checks see a stable graph; forwards are edges of it too). */
export function withAliasWriteLock<T>(ds: DataSource, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(async (tx) => {
    await tx.query(ALIAS_WRITE_LOCK);
    return fn(tx);
  });
}

interface AliasRow {
  id: string;
  tenant_id: string;
  domain_id: string;
  domain: string;
  source: string;
  destinations: string[];
  active: boolean;
  created_at: Date;
  updated_at: Date;
  total?: string;
}

export function toAliasDto(r: AliasRow): AliasDto {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    domain_id: r.domain_id,
    domain: r.domain,
    source: r.source,
    catch_all: r.source.startsWith('@'),
    destinations: r.destinations,
    active: r.active,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

/** An alias ref (UUID, `user@domain` or `@domain`) in stored form, or null. */
export function normalizeAliasRef(ref: string): { id: string } | { source: string } | null {
  if (isUuid(ref)) return { id: ref.toLowerCase() };
  const parts = splitAddress(ref);
  const domain = parts && normalizeDomainName(parts.domain);
  return parts && domain ? { source: `${parts.local.toLowerCase()}@${domain}` } : null;
}

function matchRef(where: SqlWhere, ref: string): boolean {
  const r = normalizeAliasRef(ref);
  if (!r) return false;
  if ('id' in r) where.add('a.id = ?', r.id);
  else where.add('a.source = ?', r.source);
  return true;
}

@Injectable()
export class AliasesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(ctx: CallerContext, q: ListAliasesQueryDto): Promise<Paginated<AliasDto>> {
    const page = resolvePage(q, { sort: 'source', order: 'asc' });
    const where = visibleThroughDomain(ctx, 'a.tenant_id');
    if (q.domain !== undefined && !matchDomainRef(where, q.domain)) where.raw('false');
    if (q.active !== undefined) where.add('a.active = ?', q.active);
    if (q.search) where.add('a.source ILIKE ?', containsPattern(q.search.toLowerCase()));
    const from = 'FROM aliases a JOIN domains d ON d.id = a.domain_id';
    const { rows, total } = await pageWithTotal<AliasRow>(
      this.ds,
      {
        select: COLUMNS,
        from,
        where,
        orderBy: orderBy(SORT_COLUMNS, page, 'a.id'),
        // The join only supplies the domain name; every alias has a domain (FK), so counting needs no join.
        countFrom: { from: 'FROM aliases a', unless: /\bd\./ },
      },
      page,
    );
    return { data: rows.map(toAliasDto), meta: listMeta(page, total) };
  }

  async findOne(ctx: CallerContext, ref: string, manager: EntityManager = this.ds.manager): Promise<AliasDto | undefined> {
    const where = visibleThroughDomain(ctx, 'a.tenant_id');
    if (!matchRef(where, ref)) return undefined;
    const rows: AliasRow[] = await manager.query(`SELECT ${COLUMNS} FROM aliases a JOIN domains d ON d.id = a.domain_id ${where}`, where.params);
    return rows[0] && toAliasDto(rows[0]);
  }

  /** Runs `fn` in a transaction holding the alias write lock (loop checks see a stable graph). */
  withWriteLock<T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    return withAliasWriteLock(this.ds, fn);
  }

  /** Claims the source in mail_addresses (catch-alls as `@domain`) and inserts the alias. */
  async insert(tx: EntityManager, domain: DomainRef, source: string, destinations: string[], active: boolean): Promise<AliasDto> {
    const id = randomUUID();
    await tx.query(`INSERT INTO mail_addresses (address, owner_kind, owner_id) VALUES ($1, 'alias', $2)`, [source, id]);
    const rows: AliasRow[] = await tx.query(
      `INSERT INTO aliases (id, tenant_id, domain_id, source, destinations, active) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, tenant_id, domain_id, $7::text AS domain, source, destinations, active, created_at, updated_at`,
      [id, domain.tenant_id, domain.id, source, destinations, active, domain.name],
    );
    return toAliasDto(rows[0]);
  }

  async update(tx: EntityManager, id: string, changes: { destinations?: string[]; active?: boolean }): Promise<AliasDto | undefined> {
    const where = new SqlWhere().add('a.id = ?', id).raw('d.id = a.domain_id');
    const sets = ['updated_at = now()'];
    if (changes.destinations !== undefined) sets.push(`destinations = ${where.param(changes.destinations)}`);
    if (changes.active !== undefined) sets.push(`active = ${where.param(changes.active)}`);
    const rows = rowsOf<AliasRow>(await tx.query(`UPDATE aliases a SET ${sets.join(', ')} FROM domains d ${where} RETURNING ${COLUMNS}`, where.params));
    return rows[0] && toAliasDto(rows[0]);
  }

  async delete(ctx: CallerContext, ref: string): Promise<AliasDto | undefined> {
    const where = visibleThroughDomain(ctx, 'a.tenant_id').raw('d.id = a.domain_id');
    if (!matchRef(where, ref)) return undefined;
    return this.withWriteLock(async (tx) => {
      const rows = rowsOf<AliasRow>(await tx.query(`DELETE FROM aliases a USING domains d ${where} RETURNING ${COLUMNS}`, where.params));
      if (!rows[0]) return undefined;
      await tx.query(`DELETE FROM mail_addresses WHERE owner_kind = 'alias' AND owner_id = $1`, [rows[0].id]);
      return toAliasDto(rows[0]);
    });
  }

  async addressOwner(address: string): Promise<string | undefined> {
    const rows: { owner_kind: string }[] = await this.ds.query(`SELECT owner_kind FROM mail_addresses WHERE address = $1`, [address]);
    return rows[0]?.owner_kind;
  }
}
