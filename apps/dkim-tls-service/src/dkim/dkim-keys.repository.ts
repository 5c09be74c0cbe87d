import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DOMAIN_SERVED_SQL, matchDomainRef, rowsOf, visibleThroughDomain } from '#database';
import { containsPattern, listMeta, orderBy, pageWithTotal, resolvePage, type SqlWhere } from '#common';
import {
  dkimDnsRecord,
  domainNameToUnicode,
  normalizeDomainName,
  type CallerContext,
  type DkimAlgorithm,
  type DkimKeyDto,
  type DkimSortField,
  type ListDkimKeysQueryDto,
  type Paginated,
} from '#contracts';

const FROM = `FROM dkim_keys k JOIN domains d ON d.id = k.domain_id`;
/**
 * Whether OpenDKIM signs with this key: the same rule as loadDkimSigningKeys (#database) — the
 * oldest RSA key (created_at, then id) of a served domain (active, of an active tenant) whose
 * effective dkim_enabled is true.
 */
const SIGNING = `(k.algorithm <> 'ed25519' AND ${DOMAIN_SERVED_SQL}
  AND COALESCE(
    (SELECT (o.settings ->> 'dkim_enabled')::boolean FROM domain_overrides o WHERE o.domain_id = d.id),
    (SELECT (dd.settings ->> 'dkim_enabled')::boolean FROM domain_defaults dd WHERE dd.id = 1),
    true)
  AND NOT EXISTS (SELECT 1 FROM dkim_keys n WHERE n.domain_id = k.domain_id AND n.algorithm <> 'ed25519' AND (n.created_at, n.id) < (k.created_at, k.id)))`;
const COLUMNS = `k.id, k.tenant_id, k.domain_id, d.name AS domain, k.selector, k.algorithm, k.public_key, k.created_at, ${SIGNING} AS signing`;
const SORT_COLUMNS: Record<DkimSortField, string> = { domain: 'd.name', selector: 'k.selector', created_at: 'k.created_at' };

interface KeyRow {
  id: string;
  tenant_id: string;
  domain_id: string;
  domain: string;
  selector: string;
  algorithm: DkimAlgorithm;
  public_key: string;
  created_at: Date;
  signing: boolean;
}

export interface NewDkimKey {
  id: string;
  tenant_id: string;
  domain_id: string;
  selector: string;
  algorithm: DkimAlgorithm;
  public_key: string;
  private_key_enc: string;
}

export function toDkimKeyDto(r: KeyRow): DkimKeyDto {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    domain_id: r.domain_id,
    domain: r.domain,
    domain_unicode: domainNameToUnicode(r.domain),
    selector: r.selector,
    algorithm: r.algorithm,
    signing: r.signing,
    dns_record: dkimDnsRecord(r.selector, r.domain, r.algorithm, r.public_key),
    created_at: new Date(r.created_at).toISOString(),
  };
}

/** dkim_keys without the private key: nothing here ever selects private_key_enc. */
@Injectable()
export class DkimKeysRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(ctx: CallerContext, q: ListDkimKeysQueryDto): Promise<Paginated<DkimKeyDto>> {
    const page = resolvePage(q, { sort: 'domain', order: 'asc' });
    const where: SqlWhere = visibleThroughDomain(ctx, 'd.tenant_id');
    if (q.domain !== undefined && !matchDomainRef(where, q.domain)) where.raw('false');
    if (q.algorithm) where.add('k.algorithm = ?', q.algorithm);
    if (q.search) {
      const name = containsPattern(normalizeDomainName(q.search) ?? q.search.toLowerCase());
      const selector = containsPattern(q.search.toLowerCase());
      where.raw(`(d.name ILIKE ${where.param(name)} OR k.selector ILIKE ${where.param(selector)})`);
    }
    const { rows, total } = await pageWithTotal<KeyRow>(this.ds, { select: COLUMNS, from: FROM, where, orderBy: orderBy(SORT_COLUMNS, page, 'k.id') }, page);
    return { data: rows.map(toDkimKeyDto), meta: listMeta(page, total) };
  }

  /** Every key of a domain, newest first. */
  async ofDomain(domainId: string): Promise<DkimKeyDto[]> {
    const rows: KeyRow[] = await this.ds.query(`SELECT ${COLUMNS} ${FROM} WHERE k.domain_id = $1 ORDER BY k.created_at DESC, k.id DESC`, [domainId]);
    return rows.map(toDkimKeyDto);
  }

  async findOne(domainId: string, selector: string): Promise<DkimKeyDto | undefined> {
    const rows: KeyRow[] = await this.ds.query(`SELECT ${COLUMNS} ${FROM} WHERE k.domain_id = $1 AND k.selector = $2`, [domainId, selector]);
    return rows[0] && toDkimKeyDto(rows[0]);
  }

  async findById(id: string): Promise<DkimKeyDto | undefined> {
    const rows: KeyRow[] = await this.ds.query(`SELECT ${COLUMNS} ${FROM} WHERE k.id = $1`, [id]);
    return rows[0] && toDkimKeyDto(rows[0]);
  }

  async insert(key: NewDkimKey): Promise<void> {
    await this.ds.query(
      `INSERT INTO dkim_keys (id, tenant_id, domain_id, selector, algorithm, public_key, private_key_enc) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [key.id, key.tenant_id, key.domain_id, key.selector, key.algorithm, key.public_key, key.private_key_enc],
    );
  }

  async delete(id: string): Promise<boolean> {
    const rows = rowsOf<{ id: string }>(await this.ds.query(`DELETE FROM dkim_keys WHERE id = $1 RETURNING id`, [id]));
    return rows.length > 0;
  }

  /** Every key of a tenant (tenant deletion); the number removed. */
  async deleteOfTenant(tenantId: string): Promise<number> {
    const result: unknown = await this.ds.query(`DELETE FROM dkim_keys WHERE tenant_id = $1`, [tenantId]);
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }
}
