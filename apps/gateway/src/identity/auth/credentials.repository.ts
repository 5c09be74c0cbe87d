import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role } from '#contracts';

export interface KeyRecord {
  id: string;
  secret_sha256: string;
  scopes: string[];
  domain_allowlist: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  tenant_id: string;
  account_id: string;
  email: string;
  role: Role;
  account_active: boolean;
  tenant_active: boolean;
  ip_allowlist: string[] | null;
  account_ip_allowlist: string[] | null;
  delegated_domains: string[];
}

export interface AccountRecord {
  id: string;
  email: string;
  role: Role;
  tenant_id: string;
  active: boolean;
  tenant_active: boolean;
  ip_allowlist: string[] | null;
  delegated_domains: string[];
}

/** A domain_admin's delegated domain names (the account row is `a`). */
const DELEGATED = `COALESCE((SELECT array_agg(d.name ORDER BY d.name) FROM account_domains ad JOIN domains d ON d.id = ad.domain_id
                   WHERE ad.account_id = a.id), '{}') AS delegated_domains`;

/** SQL of authentication: a key or an account as a request sees it (with owner, tenant and delegation). */
@Injectable()
export class CredentialsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async keyById(keyId: string): Promise<KeyRecord | undefined> {
    const rows: KeyRecord[] = await this.ds.query(
      `SELECT k.id, k.secret_sha256, k.scopes, k.domain_allowlist, k.expires_at, k.revoked_at, k.tenant_id,
              a.id AS account_id, a.email, a.role, a.active AS account_active, t.active AS tenant_active,
              k.ip_allowlist, a.ip_allowlist AS account_ip_allowlist, ${DELEGATED}
         FROM api_keys k JOIN accounts a ON a.id = k.account_id JOIN tenants t ON t.id = k.tenant_id
        WHERE k.key_id = $1`,
      [keyId],
    );
    return rows[0];
  }

  async account(id: string): Promise<AccountRecord | undefined> {
    const rows: AccountRecord[] = await this.ds.query(
      `SELECT a.id, a.email, a.role, a.tenant_id, a.active, t.active AS tenant_active, a.ip_allowlist, ${DELEGATED}
         FROM accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.id = $1`,
      [id],
    );
    return rows[0];
  }

  async noteKeyUse(id: string, ip: string): Promise<void> {
    await this.ds.query(`UPDATE api_keys SET last_used_at = now(), last_used_ip = $2 WHERE id = $1`, [id, ip]);
  }
}
