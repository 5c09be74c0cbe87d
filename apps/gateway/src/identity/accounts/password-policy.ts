import { accountPasswordProblem } from '#common';
import { AccountError, AccountErrorCode } from './account.errors.js';

/** Character classes an account password must mix (lower, upper, digit, other), like MAILBOX_PASSWORD_MIN_CLASSES. */
export const ACCOUNT_PASSWORD_MIN_CLASSES = 3;

export function passwordClasses(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
}

/** Throws 400 VALIDATION_FAILED naming `field` when the password breaks the account policy. */
export function assertAccountPassword(password: string, field: string): void {
  let problem = accountPasswordProblem(password);
  if (!problem && passwordClasses(password) < ACCOUNT_PASSWORD_MIN_CLASSES) {
    problem = `must mix at least ${ACCOUNT_PASSWORD_MIN_CLASSES} of: lower-case, upper-case, digits, other characters`;
  }
  if (problem) throw new AccountError(AccountErrorCode.WeakPassword, 'Validation failed', `${field} ${problem}.`, [{ field, message: `${field} ${problem}` }]);
}
