import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import type { EntityManager } from 'typeorm';
import { verifyAccountPassword } from '#common';
import { CommonError } from '#contracts';
import { LoginLockoutService } from '../accounts/login-lockout.service.js';
import type { Principal } from '../../shared/principal.js';
import type { TotpDisableDto, TotpRecoveryCodesDto, TotpSetupDto } from './dto/totp.dto.js';
import { SecondFactorVerifier } from './second-factor.verifier.js';
import { TotpRepository, type TotpRow } from './totp.repository.js';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUrl } from './totp-codes.js';
import { TotpError, TotpErrorCode } from './totp.errors.js';

/** Enrolling and removing an account's second factor. */
@Injectable()
export class TotpService {
  constructor(
    private readonly repo: TotpRepository,
    private readonly verifier: SecondFactorVerifier,
    private readonly lockout: LoginLockoutService,
  ) {}

  /** Whether the account has 2FA on and, if so, how many recovery codes it has left (null when off). */
  async status(accountId: string): Promise<{ totp_enabled: boolean; recovery_codes_left: number | null }> {
    const row = await this.repo.status(accountId);
    const enabled = row?.enabled === true;
    return { totp_enabled: enabled, recovery_codes_left: enabled ? Number(row!.left) : null };
  }

  /** A new pending secret (replacing an unconfirmed one); 2FA is on only after confirm. */
  async setup(p: Principal): Promise<TotpSetupDto> {
    accountOnly(p);
    const box = this.verifier.requireBox();
    const secret = newTotpSecret();
    if (!(await this.repo.setPendingSecret(p.account_id, box.seal(secret, p.account_id)))) {
      throw new TotpError(TotpErrorCode.AlreadyEnabled, 'Two-factor authentication is already enabled', 'Disable it first to enrol a new authenticator.');
    }
    const url = otpauthUrl(p.email, secret);
    return { secret, otpauth_url: url, qr_code: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M' }) };
  }

  async confirm(p: Principal, code: string): Promise<TotpRecoveryCodesDto> {
    accountOnly(p);
    return this.repo.transaction(async (m) => {
      const row = await this.lockAccount(m, p.account_id);
      if (row.totp_enabled_at) throw new TotpError(TotpErrorCode.AlreadyEnabled, 'Two-factor authentication is already enabled', 'It is already confirmed.');
      if (!row.totp_secret_enc) throw new TotpError(TotpErrorCode.NoPendingSetup, 'No setup to confirm', 'Call POST /auth/totp/setup first.');
      if (!(await this.verifier.check(m, row, code))) throw invalidCode();
      const codes = newRecoveryCodes();
      const at = await this.repo.enable(
        m,
        row.id,
        codes.map((c) => hashRecoveryCode(c)),
      );
      return { recovery_codes: codes, enabled_at: new Date(at).toISOString() };
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
    const wrong = await this.repo
      .transaction(async (m): Promise<TotpError | null> => {
        const row = await this.lockAccount(m, p.account_id);
        if (!row.totp_enabled_at) throw new TotpError(TotpErrorCode.NotEnabled, 'Two-factor authentication is not enabled', 'There is nothing to disable.');
        if (body.password !== undefined) {
          if (!(await verifyAccountPassword(row.password_hash, body.password))) {
            return new TotpError(TotpErrorCode.InvalidPassword, 'Invalid credentials', 'The password is wrong.');
          }
        } else if (!(await this.verifier.check(m, row, body.code!))) {
          return invalidCode();
        }
        await this.repo.disable(m, row.id);
        return null;
      })
      .catch(async (err: unknown) => {
        // Not a guess (2FA not enabled, database error): the attempt does not count.
        await attempt.passed();
        throw err;
      });
    // A wrong password or code stays counted; a right one is taken back (disabling is no login).
    if (wrong) throw wrong;
    await attempt.passed();
  }

  private async lockAccount(m: EntityManager, id: string): Promise<TotpRow & { password_hash: string }> {
    const row = await this.repo.lockAccount(m, id);
    if (!row) throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'The account no longer exists.');
    return row;
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
