import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** SQL of request budgets: a key's own rate limit and its tenant's. */
@Injectable()
export class RateLimitsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async limitsOfKey(keyId: string): Promise<{ key_limit: number | null; tenant_limit: number | null } | undefined> {
    const rows: { key_limit: number | null; tenant_limit: number | null }[] = await this.ds.query(
      `SELECT k.rate_limit_per_min AS key_limit, t.rate_limit_per_min AS tenant_limit
         FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.id = $1`,
      [keyId],
    );
    return rows[0];
  }

  async limitOfTenant(tenantId: string): Promise<number | null> {
    const rows: { limit: number | null }[] = await this.ds.query(`SELECT rate_limit_per_min AS "limit" FROM tenants WHERE id = $1`, [tenantId]);
    return rows[0]?.limit ?? null;
  }
}
