import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

export interface LoginRow {
  id: string;
  password_hash: string;
  active: boolean;
  ip_allowlist: string[] | null;
  tenant_active: boolean;
}

export interface RefreshTokenRow {
  id: string;
  account_id: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/** SQL of logins: accounts' credentials as a login sees them, and refresh tokens (families of one login each). */
@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  async loginByEmail(email: string): Promise<LoginRow | undefined> {
    const rows: LoginRow[] = await this.ds.query(
      `SELECT a.id, a.password_hash, a.active, a.ip_allowlist, t.active AS tenant_active
         FROM accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.email = $1`,
      [email.toLowerCase()],
    );
    return rows[0];
  }

  async passwordHash(accountId: string): Promise<string | undefined> {
    const rows: { password_hash: string }[] = await this.ds.query(`SELECT password_hash FROM accounts WHERE id = $1`, [accountId]);
    return rows[0]?.password_hash;
  }

  async touchLastLogin(accountId: string): Promise<void> {
    await this.ds.query(`UPDATE accounts SET last_login_at = now() WHERE id = $1`, [accountId]);
  }

  /** The account and its tenant are both active (inside the caller's transaction). */
  async accountUsable(m: EntityManager, accountId: string): Promise<boolean> {
    const rows: { active: boolean; tenant_active: boolean }[] = await m.query(
      `SELECT a.active, t.active AS tenant_active FROM accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.id = $1`,
      [accountId],
    );
    return Boolean(rows[0]?.active && rows[0]?.tenant_active);
  }

  async setPasswordHash(m: EntityManager, accountId: string, hash: string): Promise<void> {
    await m.query(`UPDATE accounts SET password_hash = $2, updated_at = now() WHERE id = $1`, [accountId, hash]);
  }

  /** The refresh token by its hash, locked FOR UPDATE (rotation spends it). */
  async lockRefreshToken(m: EntityManager, tokenSha256: string): Promise<RefreshTokenRow | undefined> {
    const rows: RefreshTokenRow[] = await m.query(
      `SELECT id, account_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_sha256 = $1 FOR UPDATE`,
      [tokenSha256],
    );
    return rows[0];
  }

  async familyOf(tokenSha256: string): Promise<string | undefined> {
    const rows: { family_id: string }[] = await this.ds.query(`SELECT family_id FROM refresh_tokens WHERE token_sha256 = $1`, [tokenSha256]);
    return rows[0]?.family_id;
  }

  async markUsed(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET used_at = now() WHERE id = $1`, [id]);
  }

  async revokeFamily(familyId: string, m: DataSource | EntityManager = this.ds): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [familyId]);
  }

  async revokeAccount(m: EntityManager, accountId: string): Promise<void> {
    await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE account_id = $1 AND revoked_at IS NULL`, [accountId]);
  }

  async insertRefreshToken(m: EntityManager, accountId: string, tokenSha256: string, familyId: string, ttlSeconds: number): Promise<void> {
    await m.query(`INSERT INTO refresh_tokens (account_id, token_sha256, family_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`, [
      accountId,
      tokenSha256,
      familyId,
      ttlSeconds,
    ]);
  }
}
