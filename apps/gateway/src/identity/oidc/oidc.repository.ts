import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface OidcConfigRow {
  issuer: string;
  client_id: string;
  client_secret_enc: string;
  redirect_uri: string;
  allowed_domains: string[];
  enabled: boolean;
  updated_at: Date;
}

export type OidcConfigWrite = Omit<OidcConfigRow, 'updated_at'>;

/** An account as a login sees it: enough to decide whether it may get tokens. */
export interface OidcAccountRow {
  id: string;
  email: string;
  active: boolean;
  ip_allowlist: string[] | null;
  tenant_active: boolean;
}

const ACCOUNT = `SELECT a.id, a.email, a.active, a.ip_allowlist, t.active AS tenant_active
  FROM accounts a JOIN tenants t ON t.id = a.tenant_id`;

@Injectable()
export class OidcRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async config(): Promise<OidcConfigRow | null> {
    const rows: OidcConfigRow[] = await this.ds.query(
      `SELECT issuer, client_id, client_secret_enc, redirect_uri, allowed_domains, enabled, updated_at FROM oidc_config WHERE id`,
    );
    return rows[0] ?? null;
  }

  async saveConfig(c: OidcConfigWrite): Promise<void> {
    await this.ds.query(
      `INSERT INTO oidc_config (id, issuer, client_id, client_secret_enc, redirect_uri, allowed_domains, enabled, updated_at)
       VALUES (true, $1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id, client_secret_enc = EXCLUDED.client_secret_enc,
         redirect_uri = EXCLUDED.redirect_uri, allowed_domains = EXCLUDED.allowed_domains, enabled = EXCLUDED.enabled, updated_at = now()`,
      [c.issuer, c.client_id, c.client_secret_enc, c.redirect_uri, c.allowed_domains, c.enabled],
    );
  }

  async linkedAccount(issuer: string, subject: string): Promise<OidcAccountRow | null> {
    const rows: OidcAccountRow[] = await this.ds.query(`${ACCOUNT} JOIN account_oidc_links l ON l.account_id = a.id WHERE l.issuer = $1 AND l.subject = $2`, [
      issuer,
      subject,
    ]);
    return rows[0] ?? null;
  }

  async accountByEmail(email: string): Promise<OidcAccountRow | null> {
    const rows: OidcAccountRow[] = await this.ds.query(`${ACCOUNT} WHERE a.email = $1`, [email.toLowerCase()]);
    return rows[0] ?? null;
  }

  /**
   * Records the link; false when the account already has another identity at this issuer (or the
   * subject was linked concurrently to another account), so one account never gains a second way in.
   */
  async link(accountId: string, issuer: string, subject: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `INSERT INTO account_oidc_links (account_id, issuer, subject) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING account_id`,
      [accountId, issuer, subject],
    );
    if (rows.length) return true;
    const same: unknown[] = await this.ds.query(`SELECT 1 FROM account_oidc_links WHERE account_id = $1 AND issuer = $2 AND subject = $3`, [
      accountId,
      issuer,
      subject,
    ]);
    return same.length > 0;
  }

  async touchLink(issuer: string, subject: string): Promise<void> {
    await this.ds.query(`UPDATE account_oidc_links SET last_login_at = now() WHERE issuer = $1 AND subject = $2`, [issuer, subject]);
  }
}
