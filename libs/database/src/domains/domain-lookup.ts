import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { SqlWhere } from '#common';
import { isUuid, normalizeDomainName, type CallerContext } from '#contracts';

export interface DomainRef {
  id: string;
  tenant_id: string;
  name: string;
}

/** The condition "its domain (alias `d`) is visible to the caller": tenant (unless platform) + key allow-list. */
export function visibleThroughDomain(ctx: CallerContext, tenantColumn: string): SqlWhere {
  const where = new SqlWhere();
  if (ctx.tenant_id) where.add(`${tenantColumn} = ?`, ctx.tenant_id);
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

/** Domains as the services that hang objects on them (mailboxes, aliases, DKIM keys) see them: read-only, scoped to the caller. */
@Injectable()
export class DomainLookup {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The domain `ref` (UUID or name) when the caller may see it. */
  async find(ctx: CallerContext, ref: string, manager: EntityManager = this.ds.manager): Promise<DomainRef | undefined> {
    const where = visibleThroughDomain(ctx, 'd.tenant_id');
    if (!matchDomainRef(where, ref)) return undefined;
    const rows: DomainRef[] = await manager.query(`SELECT d.id, d.tenant_id, d.name FROM domains d ${where}`, where.params);
    return rows[0];
  }
}
