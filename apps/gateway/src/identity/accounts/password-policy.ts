import { ACCOUNT_PASSWORD_RULES, passwordProblems } from '#contracts';
import { AccountError, AccountErrorCode } from './account.errors.js';

/** Throws 400 VALIDATION_FAILED naming `field` when the password breaks the account rules of the one policy (libs/contracts). */
export function assertAccountPassword(password: string, field: string): void {
  const problems = passwordProblems(password, ACCOUNT_PASSWORD_RULES);
  if (problems.length) {
    const fields = problems.map((p) => ({ field, message: `${field} ${p.message}` }));
    throw new AccountError(AccountErrorCode.WeakPassword, 'Validation failed', `${fields.map((f) => f.message).join('; ')}.`, fields);
  }
}
