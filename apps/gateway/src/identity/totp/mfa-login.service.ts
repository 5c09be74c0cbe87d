import { Injectable } from '@nestjs/common';
import { randomToken, sha256Hex } from '#common';
import { LoginLockoutService } from '../accounts/login-lockout.service.js';
import type { MfaRequiredDto } from './dto/totp.dto.js';
import { SecondFactorVerifier } from './second-factor.verifier.js';
import { TotpRepository } from './totp.repository.js';
import { TotpError, TotpErrorCode } from './totp.errors.js';

export const MFA_TOKEN_TTL_SECONDS = 300;
/** Wrong codes one mfa_token tolerates before it is spent (then the password is needed again). */
export const MFA_MAX_FAILED_ATTEMPTS = 5;

/** The second step of logging in to an account with 2FA. */
@Injectable()
export class MfaLoginService {
  constructor(
    private readonly repo: TotpRepository,
    private readonly verifier: SecondFactorVerifier,
    private readonly lockout: LoginLockoutService,
  ) {}

  /** After a correct password: null when the account has no 2FA, else a single-use mfa_token (stored hashed). */
  async challenge(accountId: string): Promise<MfaRequiredDto | null> {
    if (!(await this.repo.enabledAt(accountId))) return null;
    this.verifier.requireBox();
    const token = `mfa_${randomToken(32)}`;
    await this.repo.insertMfaToken(sha256Hex(token), accountId, MFA_TOKEN_TTL_SECONDS);
    return { mfa_required: true, mfa_token: token, expires_in: MFA_TOKEN_TTL_SECONDS };
  }

  /**
   * Spends the mfa_token when the code is right and returns the account id; anything else → 401.
   * A wrong code counts towards the login lockout of the account and of `ip`, like a wrong password:
   * otherwise someone who knows the password could guess codes at the rate of fresh mfa_tokens.
   */
  async complete(mfaToken: string, code: string, ip = ''): Promise<string> {
    // Checked before any code is: a locked account or IP learns nothing about its guesses.
    const tokenSha256 = sha256Hex(mfaToken);
    const attempt = await this.lockout.begin(await this.repo.mfaTokenOwnerEmail(tokenSha256), ip);
    // Only a wrong code is a guess: an unusable mfa_token or account takes the attempt back.
    const result = await this.repo
      .transaction(async (m): Promise<{ ok: boolean; accountId: string; email: string }> => {
        const t = await this.repo.lockMfaToken(m, tokenSha256);
        if (!t || t.used_at || t.expired || t.failed_attempts >= MFA_MAX_FAILED_ATTEMPTS) {
          throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'The mfa_token is unknown, expired or already used; log in again.');
        }
        const row = await this.repo.lockLoginAccount(m, t.account_id);
        if (!row || !row.active || !row.tenant_active || !row.totp_enabled_at) {
          throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'This login can no longer be completed; log in again.');
        }
        if (!(await this.verifier.check(m, row, code))) {
          // Committed, then refused (throwing here would roll the count back).
          await this.repo.countMfaFailure(m, tokenSha256);
          return { ok: false, accountId: row.id, email: row.email };
        }
        await this.repo.spendMfaToken(m, tokenSha256);
        return { ok: true, accountId: row.id, email: row.email };
      })
      .catch(async (err: unknown) => {
        await attempt.passed();
        throw err;
      });
    if (!result.ok) throw new TotpError(TotpErrorCode.MfaFailed, 'Invalid credentials', 'The code is wrong, expired or already used.');
    // Password and second factor both passed: the completed login resets the account's counter.
    await attempt.completed();
    return result.accountId;
  }
}
