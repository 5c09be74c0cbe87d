import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { randomToken, sha256Hex } from '#common';
import { LoginLockoutService } from '../accounts/login-lockout.service.js';
import type { MfaRequiredDto } from './dto/totp.dto.js';
import { SecondFactorVerifier, TOTP_COLUMNS, type TotpRow } from './second-factor.verifier.js';
import { TotpError, TotpErrorCode } from './totp.errors.js';

export const MFA_TOKEN_TTL_SECONDS = 300;
/** Wrong codes one mfa_token tolerates before it is spent (then the password is needed again). */
export const MFA_MAX_FAILED_ATTEMPTS = 5;

/** The second step of logging in to an account with 2FA. */
@Injectable()
export class MfaLoginService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly verifier: SecondFactorVerifier,
    private readonly lockout: LoginLockoutService,
  ) {}

  /** After a correct password: null when the account has no 2FA, else a single-use mfa_token (stored hashed). */
  async challenge(accountId: string): Promise<MfaRequiredDto | null> {
    const rows: { totp_enabled_at: Date | null }[] = await this.ds.query(`SELECT totp_enabled_at FROM accounts WHERE id = $1`, [accountId]);
    if (!rows[0]?.totp_enabled_at) return null;
    this.verifier.requireBox();
    const token = `mfa_${randomToken(32)}`;
    await this.ds.query(`DELETE FROM mfa_login_tokens WHERE expires_at < now() - interval '1 hour'`);
    await this.ds.query(
      `INSERT INTO mfa_login_tokens (token_sha256, account_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [sha256Hex(token), accountId, MFA_TOKEN_TTL_SECONDS],
    );
    return { mfa_required: true, mfa_token: token, expires_in: MFA_TOKEN_TTL_SECONDS };
  }

  /**
   * Spends the mfa_token when the code is right and returns the account id; anything else → 401.
   * A wrong code counts towards the login lockout of the account and of `ip`, like a wrong password:
   * otherwise someone who knows the password could guess codes at the rate of fresh mfa_tokens.
   */
  async complete(mfaToken: string, code: string, ip = ''): Promise<string> {
    // Checked before any code is: a locked account or IP learns nothing about its guesses.
    const owners: { email: string }[] = await this.ds.query(
      `SELECT a.email FROM mfa_login_tokens m JOIN accounts a ON a.id = m.account_id WHERE m.token_sha256 = $1`,
      [sha256Hex(mfaToken)],
    );
    const attempt = await this.lockout.begin(owners[0]?.email ?? null, ip);
    // Only a wrong code is a guess: an unusable mfa_token or account takes the attempt back.
    const result = await this.ds.transaction(async (m): Promise<{ ok: boolean; accountId: string; email: string }> => {
      const tokens: { account_id: string; expired: boolean; failed_attempts: number; used_at: Date | null }[] = await m.query(
        `SELECT account_id, expires_at <= now() AS expired, failed_attempts, used_at FROM mfa_login_tokens WHERE token_sha256 = $1 FOR UPDATE`,
        [sha256Hex(mfaToken)],
      );
      const t = tokens[0];
      if (!t || t.used_at || t.expired || t.failed_attempts >= MFA_MAX_FAILED_ATTEMPTS) {
        throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'The mfa_token is unknown, expired or already used; log in again.');
      }
      const rows: (TotpRow & { email: string; active: boolean; tenant_active: boolean })[] = await m.query(
        `SELECT ${TOTP_COLUMNS}, a.email, a.active, t.active AS tenant_active
           FROM accounts a JOIN tenants t ON t.id = a.tenant_id WHERE a.id = $1 FOR UPDATE OF a`,
        [t.account_id],
      );
      const row = rows[0];
      if (!row || !row.active || !row.tenant_active || !row.totp_enabled_at) {
        throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'This login can no longer be completed; log in again.');
      }
      if (!(await this.verifier.check(m, row, code))) {
        // Committed, then refused (throwing here would roll the count back).
        await m.query(`UPDATE mfa_login_tokens SET failed_attempts = failed_attempts + 1 WHERE token_sha256 = $1`, [sha256Hex(mfaToken)]);
        return { ok: false, accountId: row.id, email: row.email };
      }
      await m.query(`UPDATE mfa_login_tokens SET used_at = now() WHERE token_sha256 = $1`, [sha256Hex(mfaToken)]);
      return { ok: true, accountId: row.id, email: row.email };
    }).catch(async (err: unknown) => {
      await attempt.passed();
      throw err;
    });
    if (!result.ok) throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'The code is wrong, expired or already used.');
    // Password and second factor both passed: the completed login resets the account's counter.
    await attempt.completed();
    return result.accountId;
  }
}
