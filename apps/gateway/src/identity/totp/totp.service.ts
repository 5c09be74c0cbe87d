import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import QRCode from 'qrcode';
import { DataSource, type EntityManager } from 'typeorm';
import { verifyAccountPassword } from '#common';
import { CommonError } from '#contracts';
import { LoginLockoutService } from '../accounts/login-lockout.service.js';
import type { Principal } from '../../shared/principal.js';
import type { TotpDisableDto, TotpRecoveryCodesDto, TotpSetupDto } from './dto/totp.dto.js';
import { SecondFactorVerifier, TOTP_COLUMNS, type TotpRow } from './second-factor.verifier.js';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUrl } from './totp-codes.js';
import { TotpError, TotpErrorCode } from './totp.errors.js';

/** Enrolling and removing an account's second factor. */
@Injectable()
export class TotpService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly verifier: SecondFactorVerifier,
    private readonly lockout: LoginLockoutService,
  ) {}

  /** Whether the account has 2FA on and, if so, how many recovery codes it has left (null when off). */
  async status(accountId: string): Promise<{ totp_enabled: boolean; recovery_codes_left: number | null }> {
    const rows: { enabled: boolean; left: number }[] = await this.ds.query(
      `SELECT a.totp_enabled_at IS NOT NULL AS enabled,
              (SELECT count(*)::int FROM account_recovery_codes r WHERE r.account_id = a.id AND r.used_at IS NULL) AS left
         FROM accounts a WHERE a.id = $1`,
      [accountId],
    );
    const enabled = rows[0]?.enabled === true;
    return { totp_enabled: enabled, recovery_codes_left: enabled ? Number(rows[0]!.left) : null };
  }

  /** A new pending secret (replacing an unconfirmed one); 2FA is on only after confirm. */
  async setup(p: Principal): Promise<TotpSetupDto> {
    accountOnly(p);
    const box = this.verifier.requireBox();
    const secret = newTotpSecret();
    const rows: unknown[] = await this.ds.query(
      `UPDATE accounts SET totp_secret_enc = $2, totp_last_step = NULL, updated_at = now()
        WHERE id = $1 AND totp_enabled_at IS NULL RETURNING id`,
      [p.account_id, box.seal(secret, p.account_id)],
    );
    if (!(Array.isArray(rows[0]) ? rows[0] : rows).length) {
      throw new TotpError(TotpErrorCode.AlreadyEnabled, 'Two-factor authentication is already enabled', 'Disable it first to enrol a new authenticator.');
    }
    const url = otpauthUrl(p.email, secret);
    return { secret, otpauth_url: url, qr_code: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M' }) };
  }

  async confirm(p: Principal, code: string): Promise<TotpRecoveryCodesDto> {
    accountOnly(p);
    return this.ds.transaction(async (m) => {
      const row = await lockAccount(m, p.account_id);
      if (row.totp_enabled_at) throw new TotpError(TotpErrorCode.AlreadyEnabled, 'Two-factor authentication is already enabled', 'It is already confirmed.');
      if (!row.totp_secret_enc) throw new TotpError(TotpErrorCode.NoPendingSetup, 'No setup to confirm', 'Call POST /auth/totp/setup first.');
      if (!(await this.verifier.check(m, row, code))) throw invalidCode();
      const enabled: { totp_enabled_at: Date }[] = await m.query(
        `UPDATE accounts SET totp_enabled_at = now(), updated_at = now() WHERE id = $1 RETURNING totp_enabled_at`,
        [row.id],
      );
      const codes = newRecoveryCodes();
      await m.query(`DELETE FROM account_recovery_codes WHERE account_id = $1`, [row.id]);
      for (const c of codes) {
        const { salt, hash } = hashRecoveryCode(c);
        await m.query(`INSERT INTO account_recovery_codes (account_id, salt, code_sha256) VALUES ($1, $2, $3)`, [row.id, salt, hash]);
      }
      const at = (Array.isArray(enabled[0]) ? enabled[0][0] : enabled[0]) as { totp_enabled_at: Date };
      return { recovery_codes: codes, enabled_at: new Date(at.totp_enabled_at).toISOString() };
    });
  }

  /**
   * Needs the password, a current code or a recovery code; anything wrong changes nothing but counts
   * towards the login lockout of the account and of `ip` (like a wrong current password on PUT
   * /auth/password): a stolen session must not be able to guess its way to turning 2FA off, and
   * while the account is locked this answers 429 before anything is checked.
   */
  async disable(p: Principal, body: TotpDisableDto, ip = ''): Promise<void> {
    accountOnly(p);
    if (!body.code && !body.password) {
      throw CommonError.validation([{ field: 'code', message: 'code or password is required' }], 'Send a current code, a recovery code or the password.');
    }
    const attempt = await this.lockout.begin(p.email, ip);
    const wrong = await this.ds.transaction(async (m): Promise<TotpError | null> => {
      const row = await lockAccount(m, p.account_id);
      if (!row.totp_enabled_at) throw new TotpError(TotpErrorCode.NotEnabled, 'Two-factor authentication is not enabled', 'There is nothing to disable.');
      if (body.password !== undefined) {
        if (!(await verifyAccountPassword(row.password_hash, body.password))) {
          return new TotpError(TotpErrorCode.InvalidPassword, 'Invalid credentials', 'The password is wrong.');
        }
      } else if (!(await this.verifier.check(m, row, body.code!))) {
        return invalidCode();
      }
      await m.query(
        `UPDATE accounts SET totp_secret_enc = NULL, totp_enabled_at = NULL, totp_last_step = NULL, updated_at = now() WHERE id = $1`,
        [row.id],
      );
      await m.query(`DELETE FROM account_recovery_codes WHERE account_id = $1`, [row.id]);
      return null;
    }).catch(async (err: unknown) => {
      // Not a guess (2FA not enabled, database error): the attempt does not count.
      await attempt.passed();
      throw err;
    });
    // A wrong password or code stays counted; a right one is taken back (disabling is no login).
    if (wrong) throw wrong;
    await attempt.passed();
  }
}

function accountOnly(p: Principal): void {
  if (p.kind !== 'account') {
    throw new TotpError(TotpErrorCode.AccountOnly, 'Forbidden', 'Two-factor authentication is managed with an account login, not an API key.');
  }
}

function invalidCode(): TotpError {
  return new TotpError(TotpErrorCode.InvalidCode, 'Validation failed', 'The code is wrong, expired or already used.', [
    { field: 'code', message: 'wrong, expired or already used' },
  ]);
}

async function lockAccount(m: EntityManager, id: string): Promise<TotpRow & { password_hash: string }> {
  const rows: (TotpRow & { password_hash: string })[] = await m.query(
    `SELECT ${TOTP_COLUMNS}, a.password_hash FROM accounts a WHERE a.id = $1 FOR UPDATE`,
    [id],
  );
  if (!rows[0]) throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'The account no longer exists.');
  return rows[0];
}
