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
  type CallerContext,
  type ListMailboxesQueryDto,
  type MailboxDto,
  type MailboxSortField,
  type Paginated,
} from '#contracts';

const COLUMNS = 'm.id, m.tenant_id, m.domain_id, d.name AS domain, m.local_part, m.address, m.name, m.quota_bytes, m.active, m.created_at, m.updated_at';
const SORT_COLUMNS: Record<MailboxSortField, string> = {
  address: 'm.address',
  created_at: 'm.created_at',
  updated_at: 'm.updated_at',
  quota_bytes: 'm.quota_bytes',
};

interface MailboxRow {
  id: string;
  tenant_id: string;
  domain_id: string;
  domain: string;
  local_part: string;
  address: string;
  name: string;
  quota_bytes: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  total?: string;
}

/** The password hash is never selected here: nothing the repository returns can leak it. */
export function toMailboxDto(r: MailboxRow): MailboxDto {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    domain_id: r.domain_id,
    domain: r.domain,
    local_part: r.local_part,
    address: r.address,
    name: r.name,
    quota_bytes: r.quota_bytes === null ? null : Number(r.quota_bytes),
    active: r.active,
    created_at: new Date(r.created_at).toISOString(),
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

/** A mailbox ref (UUID or address) in its stored form, or null when it cannot name one. */
export function normalizeMailboxRef(ref: string): { id: string } | { address: string } | null {
  if (isUuid(ref)) return { id: ref.toLowerCase() };
  const parts = splitAddress(ref);
  const domain = parts && normalizeDomainName(parts.domain);
  return parts && domain && parts.local ? { address: `${parts.local.toLowerCase()}@${domain}` } : null;
}

function matchRef(where: SqlWhere, ref: string): boolean {
  const r = normalizeMailboxRef(ref);
  if (!r) return false;
  if ('id' in r) where.add('m.id = ?', r.id);
  else where.add('m.address = ?', r.address);
  return true;
}

export interface NewMailbox {
  domain: DomainRef;
  localPart: string;
  address: string;
  name: string;
  passwordHash: string;
  quotaBytes: number | null;
  active: boolean;
}

@Injectable()
export class MailboxesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(ctx: CallerContext, q: ListMailboxesQueryDto): Promise<Paginated<MailboxDto>> {
    const page = resolvePage(q, { sort: 'address', order: 'asc' });
    const where = visibleThroughDomain(ctx, 'm.tenant_id');
    if (q.domain !== undefined && !matchDomainRef(where, q.domain)) where.raw('false');
    if (q.active !== undefined) where.add('m.active = ?', q.active);
    if (q.search) where.add('m.address ILIKE ?', containsPattern(q.search.toLowerCase()));
    const from = 'FROM mailboxes m JOIN domains d ON d.id = m.domain_id';
    const { rows, total } = await pageWithTotal<MailboxRow>(
      this.ds,
      {
        select: COLUMNS,
        from,
        where,
        orderBy: orderBy(SORT_COLUMNS, page, 'm.id'),
        // The join only supplies the domain name; every mailbox has a domain (FK), so counting needs no join.
        countFrom: { from: 'FROM mailboxes m', unless: /\bd\./ },
      },
      page,
    );
    return { data: rows.map(toMailboxDto), meta: listMeta(page, total) };
  }

  /**
   * Claims the address in mail_addresses and inserts the mailbox in one transaction (unique violation = taken);
   * `beforeInsert` runs first in that transaction (limit checks under their locks).
   */
  async insert(m: NewMailbox, beforeInsert?: (tx: EntityManager) => Promise<void>): Promise<MailboxDto> {
    const id = randomUUID();
    return this.ds.transaction(async (tx) => {
      await beforeInsert?.(tx);
      await tx.query(`INSERT INTO mail_addresses (address, owner_kind, owner_id) VALUES ($1, 'mailbox', $2)`, [m.address, id]);
      const rows: MailboxRow[] = await tx.query(
        `INSERT INTO mailboxes (id, tenant_id, domain_id, local_part, address, name, password_hash, quota_bytes, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id, tenant_id, domain_id, $10::text AS domain, local_part, address, name, quota_bytes, active, created_at, updated_at`,
        [id, m.domain.tenant_id, m.domain.id, m.localPart, m.address, m.name, m.passwordHash, m.quotaBytes, m.active, m.domain.name],
      );
      return toMailboxDto(rows[0]);
    });
  }

  /** Who holds an address ('mailbox' | 'alias'), if anyone. */
  async addressOwner(address: string): Promise<string | undefined> {
    const rows: { owner_kind: string }[] = await this.ds.query(`SELECT owner_kind FROM mail_addresses WHERE address = $1`, [address]);
    return rows[0]?.owner_kind;
  }

  async findOne(ctx: CallerContext, ref: string): Promise<MailboxDto | undefined> {
    const where = visibleThroughDomain(ctx, 'm.tenant_id');
    if (!matchRef(where, ref)) return undefined;
    const rows: MailboxRow[] = await this.ds.query(`SELECT ${COLUMNS} FROM mailboxes m JOIN domains d ON d.id = m.domain_id ${where}`, where.params);
    return rows[0] && toMailboxDto(rows[0]);
  }

  async update(
    ctx: CallerContext,
    ref: string,
    changes: { name?: string; quota_bytes?: number | null; active?: boolean; password_hash?: string },
    manager: EntityManager = this.ds.manager,
  ): Promise<MailboxDto | undefined> {
    const where = visibleThroughDomain(ctx, 'm.tenant_id').raw('d.id = m.domain_id');
    if (!matchRef(where, ref)) return undefined;
    const sets = ['updated_at = now()'];
    if (changes.name !== undefined) sets.push(`name = ${where.param(changes.name)}`);
    if (changes.quota_bytes !== undefined) sets.push(`quota_bytes = ${where.param(changes.quota_bytes)}`);
    if (changes.active !== undefined) sets.push(`active = ${where.param(changes.active)}`);
    if (changes.password_hash !== undefined) sets.push(`password_hash = ${where.param(changes.password_hash)}`);
    const rows = rowsOf<MailboxRow>(
      await manager.query(`UPDATE mailboxes m SET ${sets.join(', ')} FROM domains d ${where} RETURNING ${COLUMNS}`, where.params),
    );
    return rows[0] && toMailboxDto(rows[0]);
  }

  /** Deletes the mailbox and frees its address (its overrides go by ON DELETE CASCADE). */
  async delete(ctx: CallerContext, ref: string): Promise<MailboxDto | undefined> {
    const where = visibleThroughDomain(ctx, 'm.tenant_id').raw('d.id = m.domain_id');
    if (!matchRef(where, ref)) return undefined;
    return this.ds.transaction(async (tx) => {
      const rows = rowsOf<MailboxRow>(await tx.query(`DELETE FROM mailboxes m USING domains d ${where} RETURNING ${COLUMNS}`, where.params));
      if (!rows[0]) return undefined;
      await tx.query(`DELETE FROM mail_addresses WHERE owner_kind = 'mailbox' AND owner_id = $1`, [rows[0].id]);
      return toMailboxDto(rows[0]);
    });
  }
}
