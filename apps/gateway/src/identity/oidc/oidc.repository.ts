import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface OidcConfigRow {
  enabled: boolean;
  issuer: string;
  client_id: string;
  client_secret_enc: string;
  redirect_uri: string;
  allowed_domains: string[];
  updated_at: Date;
}

export interface OidcAccountRow {
  id: string;
  email: string;
  active: boolean;
  tenant_active: boolean;
}

/** SQL of OIDC login: the provider's configuration and the subjects linked to accounts. */
@Injectable()
export class OidcRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async config(): Promise<OidcConfigRow | undefined> {
    const rows: OidcConfigRow[] = await this.ds.query(
      `SELECT enabled, issuer, client_id, client_secret_enc, redirect_uri, allowed_domains, updated_at FROM oidc_config WHERE id = 1`,
    );
    return rows[0];
  }

  async saveConfig(c: Omit<OidcConfigRow, 'updated_at'>): Promise<void> {
    await this.ds.query(
      `INSERT INTO oidc_config (id, enabled, issuer, client_id, client_secret_enc, redirect_uri, allowed_domains) VALUES (1, $1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET enabled = $1, issuer = $2, client_id = $3, client_secret_enc = $4, redirect_uri = $5, allowed_domains = $6, updated_at = now()`,
      [c.enabled, c.issuer, c.client_id, c.client_secret_enc, c.redirect_uri, c.allowed_domains],
    );
  }

  async linkedAccount(issuer: string, subject: string): Promise<OidcAccountRow | undefined> {
    const rows: OidcAccountRow[] = await this.ds.query(
      `SELECT a.id, a.email, a.active, t.active AS tenant_active
         FROM account_oidc_links l JOIN accounts a ON a.id = l.account_id JOIN tenants t ON t.id = a.tenant_id
        WHERE l.issuer = $1 AND l.subject = $2`,
      [issuer, subject],
    );
    return rows[0];
  }

  async accountByEmail(email: string): Promise<OidcAccountRow | undefined> {
    const rows: OidcAccountRow[] = await this.ds.query(
      `SELECT a.id, a.email, a.active, t.active AS tenant_active FROM accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.email = $1`,
      [email.toLowerCase()],
    );
    return rows[0];
  }

  async link(issuer: string, subject: string, accountId: string): Promise<void> {
    await this.ds.query(`INSERT INTO account_oidc_links (issuer, subject, account_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
      issuer,
      subject,
      accountId,
    ]);
  }
}
