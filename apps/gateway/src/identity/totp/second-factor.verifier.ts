import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SecretBox, type AppConfig } from '#common';
import { InjectConfig } from '../../shared/app-config.js';
import { matchTotpStep, recoveryCodeMatches } from './totp-codes.js';
import { TotpError, TotpErrorCode } from './totp.errors.js';

/** The TOTP columns of an account row, read under FOR UPDATE by the caller. */
export interface TotpRow {
  id: string;
  totp_secret_enc: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | null;
}

export const TOTP_COLUMNS = 'a.id, a.totp_secret_enc, a.totp_enabled_at, a.totp_last_step';

/** Checks a second factor (a TOTP code or a recovery code) and spends it, inside the caller's transaction. */
@Injectable()
export class SecondFactorVerifier {
  private readonly box: SecretBox | null;

  constructor(@InjectConfig() config: AppConfig) {
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
      // Conditional, so two concurrent uses of one code cannot both pass.
      const updated: unknown[] = await m.query(
        `UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
        [row.id, step],
      );
      return firstRows(updated).length === 1;
    }
    const codes: { id: string; salt: string; code_sha256: string }[] = await m.query(
      `SELECT id, salt, code_sha256 FROM account_recovery_codes WHERE account_id = $1 AND used_at IS NULL`,
      [row.id],
    );
    const hit = codes.find((c) => recoveryCodeMatches(trimmed, c.salt, c.code_sha256));
    if (!hit) return false;
    const spent: unknown[] = await m.query(`UPDATE account_recovery_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL RETURNING id`, [hit.id]);
    return firstRows(spent).length === 1;
  }
}

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, count]. */
function firstRows(result: unknown[]): unknown[] {
  return Array.isArray(result[0]) ? (result[0] as unknown[]) : result;
}
