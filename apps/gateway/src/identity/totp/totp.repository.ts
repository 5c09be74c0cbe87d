import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

/** The TOTP columns of an account row, read under FOR UPDATE by the caller. */
export interface TotpRow {
  id: string;
  totp_secret_enc: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
}

const TOTP_COLUMNS = 'a.id, a.totp_secret_enc, a.totp_enabled_at, a.totp_last_step';

export interface MfaTokenRow {
  account_id: string;
  expired: boolean;
  failed_attempts: number;
  used_at: Date | null;
}

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count]. */
function returned<T>(result: unknown[]): T[] {
  return (Array.isArray(result[0]) ? result[0] : result) as T[];
}

/** SQL of second factors: accounts' TOTP columns, recovery codes and the mfa_tokens of pending logins. */
@Injectable()
export class TotpRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }

  async status(accountId: string): Promise<{ enabled: boolean; left: number } | undefined> {
    const rows: { enabled: boolean; left: number }[] = await this.ds.query(
      `SELECT a.totp_enabled_at IS NOT NULL AS enabled,
              (SELECT count(*)::int FROM account_recovery_codes r WHERE r.account_id = a.id AND r.used_at IS NULL) AS left
         FROM accounts a WHERE a.id = $1`,
      [accountId],
    );
    return rows[0];
  }

  async enabledAt(accountId: string): Promise<Date | null> {
    const rows: { totp_enabled_at: Date | null }[] = await this.ds.query(`SELECT totp_enabled_at FROM accounts WHERE id = $1`, [accountId]);
    return rows[0]?.totp_enabled_at ?? null;
  }

  /** Stores a pending (unconfirmed) secret; false when 2FA is already on. */
  async setPendingSecret(accountId: string, sealed: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `UPDATE accounts SET totp_secret_enc = $2, totp_last_step = NULL, updated_at = now()
        WHERE id = $1 AND totp_enabled_at IS NULL RETURNING id`,
      [accountId, sealed],
    );
    return returned(rows).length > 0;
  }

  async lockAccount(m: EntityManager, id: string): Promise<(TotpRow & { password_hash: string }) | undefined> {
    const rows: (TotpRow & { password_hash: string })[] = await m.query(`SELECT ${TOTP_COLUMNS}, a.password_hash FROM accounts a WHERE a.id = $1 FOR UPDATE`, [
      id,
    ]);
    return rows[0];
  }

  async lockLoginAccount(m: EntityManager, id: string): Promise<(TotpRow & { email: string; active: boolean; tenant_active: boolean }) | undefined> {
    const rows: (TotpRow & { email: string; active: boolean; tenant_active: boolean })[] = await m.query(
      `SELECT ${TOTP_COLUMNS}, a.email, a.active, t.active AS tenant_active
         FROM accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.id = $1 FOR UPDATE OF a`,
      [id],
    );
    return rows[0];
  }

  /** Turns 2FA on with fresh recovery codes (hashed), replacing any old ones; returns when it was enabled. */
  async enable(m: EntityManager, accountId: string, codes: { salt: string; hash: string }[]): Promise<Date> {
    const enabled = returned<{ totp_enabled_at: Date }>(
      await m.query(`UPDATE accounts SET totp_enabled_at = now(), updated_at = now() WHERE id = $1 RETURNING totp_enabled_at`, [accountId]),
    );
    await m.query(`DELETE FROM account_recovery_codes WHERE account_id = $1`, [accountId]);
    for (const c of codes) {
      await m.query(`INSERT INTO account_recovery_codes (account_id, salt, code_sha256) VALUES ($1, $2, $3)`, [accountId, c.salt, c.hash]);
    }
    return enabled[0].totp_enabled_at;
  }

  async disable(m: EntityManager, accountId: string): Promise<void> {
    await m.query(`UPDATE accounts SET totp_secret_enc = NULL, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = now() WHERE id = $1`, [accountId]);
    await m.query(`DELETE FROM account_recovery_codes WHERE account_id = $1`, [accountId]);
  }

  /** Remembers the step of a used code; false when it (or a later one) was used already (two concurrent uses cannot both pass). */
  async advanceStep(m: EntityManager, accountId: string, step: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
      [accountId, step],
    );
    return returned(rows).length === 1;
  }

  async unusedRecoveryCodes(m: EntityManager, accountId: string): Promise<{ id: string; salt: string; code_sha256: string }[]> {
    return m.query(`SELECT id, salt, code_sha256 FROM account_recovery_codes WHERE account_id = $1 AND used_at IS NULL`, [accountId]);
  }

  async spendRecoveryCode(m: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await m.query(`UPDATE account_recovery_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id`, [id]);
    return returned(rows).length === 1;
  }

  /** A new mfa_token (stored hashed); expired ones older than an hour go at the same time. */
  async insertMfaToken(tokenSha256: string, accountId: string, ttlSeconds: number): Promise<void> {
    await this.ds.query(`DELETE FROM mfa_login_tokens WHERE expires_at < now() - interval '1 hour'`);
    await this.ds.query(`INSERT INTO mfa_login_tokens (token_sha256, account_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`, [
      tokenSha256,
      accountId,
      ttlSeconds,
    ]);
  }

  async mfaTokenOwnerEmail(tokenSha256: string): Promise<string | null> {
    const rows: { email: string }[] = await this.ds.query(
      `SELECT a.email FROM mfa_login_tokens m JOIN accounts a ON a.id = m.account_id WHERE m.token_sha256 = $1`,
      [tokenSha256],
    );
    return rows[0]?.email ?? null;
  }

  async lockMfaToken(m: EntityManager, tokenSha256: string): Promise<MfaTokenRow | undefined> {
    const rows: MfaTokenRow[] = await m.query(
      `SELECT account_id, expires_at <= now() AS expired, failed_attempts, used_at FROM mfa_login_tokens WHERE token_sha256 = $1 FOR UPDATE`,
      [tokenSha256],
    );
    return rows[0];
  }

  async countMfaFailure(m: EntityManager, tokenSha256: string): Promise<void> {
    await m.query(`UPDATE mfa_login_tokens SET failed_attempts = failed_attempts + 1 WHERE token_sha256 = $1`, [tokenSha256]);
  }

  async spendMfaToken(m: EntityManager, tokenSha256: string): Promise<void> {
    await m.query(`UPDATE mfa_login_tokens SET used_at = now() WHERE token_sha256 = $1`, [tokenSha256]);
  }
}
