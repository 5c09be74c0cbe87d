import { ACCOUNT_PASSWORD_RULES, passwordProblems } from '#contracts';
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

/** A random password (144 bits) that the account rules of the password policy accept. */
export function generatePassword(): string {
  for (;;) {
    const candidate = randomBytes(18).toString('base64url');
    if (passwordProblems(candidate, ACCOUNT_PASSWORD_RULES).length === 0) return candidate;
  }
}

/** Why the password breaks the account rules (libs/contracts password policy), or null. */
export function accountPasswordProblem(password: string): string | null {
  const problems = passwordProblems(password, ACCOUNT_PASSWORD_RULES);
  return problems.length ? problems.map((p) => p.message).join('; ') : null;
}
