import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';

export const TOTP_ISSUER = 'Mailplane';
export const TOTP_PERIOD = 30;
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newTotpSecret(): string {
  return generateSecret();
}

export function otpauthUrl(email: string, secret: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: email, secret });
}

/**
 * The time step a code matches (one step of clock drift either way), or null. Steps at or before
 * `lastStep` are refused, so a code that has been accepted once is never accepted again.
 */
export async function matchTotpStep(secret: string, code: string, lastStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(Date.now() / 1000);
  const result = await verify({
    secret,
    token: code,
    epoch,
    epochTolerance: TOTP_PERIOD,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  if (!result.valid) return null;
  const step = Math.floor(epoch / TOTP_PERIOD) + result.delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

/** `XXXXX-XXXXX` from an alphabet without look-alikes (50 bits each). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** Case, spaces and dashes do not matter when a code is typed back. */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(code: string, salt = randomBytes(16).toString('hex')): { salt: string; hash: string } {
  return {
    salt,
    hash: createHash('sha256')
      .update(`${salt}:${normalizeRecoveryCode(code)}`)
      .digest('hex'),
  };
}

export function recoveryCodeMatches(code: string, salt: string, hash: string): boolean {
  const actual = Buffer.from(hashRecoveryCode(code, salt).hash, 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
