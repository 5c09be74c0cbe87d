import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';

/** Account passwords: argon2id (the argon2 addon hashes on libuv's thread pool, off the event loop). */
export function hashAccountPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

export async function verifyAccountPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** A generated password: 24 characters, URL-safe. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export const ACCOUNT_PASSWORD_MIN_LENGTH = 12;
export const ACCOUNT_PASSWORD_MAX_LENGTH = 256;

/** Returns why the password is unacceptable, or null. */
export function accountPasswordProblem(password: string): string | null {
  if (password.length < ACCOUNT_PASSWORD_MIN_LENGTH) return `must be at least ${ACCOUNT_PASSWORD_MIN_LENGTH} characters`;
  if (password.length > ACCOUNT_PASSWORD_MAX_LENGTH) return `must be at most ${ACCOUNT_PASSWORD_MAX_LENGTH} characters`;
  return null;
}
