import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SqlWhere } from '#common';
import { isUuid, normalizeDomainName, type CallerContext } from '#contracts';

export interface DomainRef {
  id: string;
  tenant_id: string;
  name: string;
}

/** "Its domain is visible to the caller" on alias `d`: the caller's tenant (unless platform) and its key's allow-list. */
export function visibleThroughDomain(ctx: CallerContext): SqlWhere {
  const where = new SqlWhere();
  if (ctx.tenant_id) where.add('d.tenant_id = ?', ctx.tenant_id);
  if (ctx.domain_allowlist) where.add('d.name = ANY(?)', ctx.domain_allowlist);
  return where;
}

/** Adds "this domain" (UUID or name, IDN allowed) on alias `d`; false when the ref cannot name a domain. */
export function matchDomainRef(where: SqlWhere, ref: string): boolean {
  if (isUuid(ref)) {
    where.add('d.id = ?', ref.toLowerCase());
    return true;
  }
  const name = normalizeDomainName(ref);
  if (!name) return false;
  where.add('d.name = ?', name);
  return true;
}

/** Domains as dkim-tls-service sees them: read-only, scoped to the caller. */
@Injectable()
export class DomainLookup {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async find(ctx: CallerContext, ref: string): Promise<DomainRef | undefined> {
    const where = visibleThroughDomain(ctx);
    if (!matchDomainRef(where, ref)) return undefined;
    const rows: DomainRef[] = await this.ds.query(`SELECT d.id, d.tenant_id, d.name FROM domains d ${where}`, where.params);
    return rows[0];
  }
}
