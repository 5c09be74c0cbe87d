import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SecretBox, type AppConfig } from '#common';
import { InjectConfig } from '../../shared/app-config.js';
import { matchTotpStep, recoveryCodeMatches } from './totp-codes.js';
import { TotpError, TotpErrorCode } from './totp.errors.js';
import { TotpRepository, type TotpRow } from './totp.repository.js';

/** Checks a second factor (a TOTP code or a recovery code) and spends it, inside the caller's transaction. */
@Injectable()
export class SecondFactorVerifier {
  private readonly box: SecretBox | null;

  constructor(
    private readonly repo: TotpRepository,
    @InjectConfig() config: AppConfig,
  ) {
    this.box = config.MAILPLANE_SECRET_KEY ? new SecretBox(config.MAILPLANE_SECRET_KEY) : null;
  }

  /** TOTP secrets are sealed under MAILPLANE_SECRET_KEY; without it 2FA cannot work at all. */
  requireBox(): SecretBox {
    if (!this.box) {
      throw new TotpError(TotpErrorCode.SecretKeyMissing, 'Two-factor authentication unavailable', 'MAILPLANE_SECRET_KEY is not set on the gateway.');
    }
    return this.box;
  }

  secretOf(row: TotpRow): string {
    if (!row.totp_secret_enc) throw new Error('account has no TOTP secret');
    return this.requireBox().open(row.totp_secret_enc, row.id);
  }

  /** True when `code` is a fresh TOTP code (its step is then remembered) or an unused recovery code (then spent). */
  async check(m: EntityManager, row: TotpRow, code: string): Promise<boolean> {
    const trimmed = code.trim();
    if (/^\d{6}$/.test(trimmed)) {
      const last = row.totp_last_step === null ? null : Number(row.totp_last_step);
      const step = await matchTotpStep(this.secretOf(row), trimmed, last);
      if (step === null) return false;
      return this.repo.advanceStep(m, row.id, step);
    }
    const codes = await this.repo.unusedRecoveryCodes(m, row.id);
    const hit = codes.find((c) => recoveryCodeMatches(trimmed, c.salt, c.code_sha256));
    return hit ? this.repo.spendRecoveryCode(m, hit.id) : false;
  }
}
