import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DomainTenantUsage } from '#contracts';

/** Tenant-wide reads and deletes of the domains this service owns. */
@Injectable()
export class TenantDataRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async usage(tenantIds: string[]): Promise<DomainTenantUsage> {
    const rows: { tenant_id: string; n: string }[] = await this.ds.query(
      `SELECT tenant_id, count(*) AS n FROM domains WHERE tenant_id = ANY($1::uuid[]) GROUP BY tenant_id`,
      [tenantIds],
    );
    return Object.fromEntries(rows.map((r) => [r.tenant_id, { domains: Number(r.n) }]));
  }

  /**
   * The tenant's domains (their overrides, delegations and DKIM keys go with them by foreign key).
   * Mailboxes and aliases reference domains with RESTRICT: mailbox-service removes them first.
   */
  async purge(tenantId: string): Promise<Record<string, number>> {
    const result: unknown = await this.ds.query(`DELETE FROM domains WHERE tenant_id = $1`, [tenantId]);
    return { domains: Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0 };
  }
}
