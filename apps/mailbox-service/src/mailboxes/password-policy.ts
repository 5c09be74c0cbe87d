import { passwordProblems, type FieldError } from '#contracts';
import { BLF_CRYPT_MAX_BYTES } from '#mailstack';
import type { MailboxSettings } from '../config/mailbox-settings.js';

/** Shorter local parts ("a", "jo") would forbid half the alphabet; they are not checked. */
const MIN_LOCAL_PART_CHECKED = 3;

/**
 * Every rule the password breaks, one field error each (empty = acceptable), by the one password
 * policy (libs/contracts) with the mailbox settings. Messages end with the rule's name; the password
 * itself never appears in them.
 */
export function passwordPolicyProblems(password: string, localPart: string, s: MailboxSettings): FieldError[] {
  const problems = passwordProblems(password, {
    minLength: s.passwordMinLength,
    minClasses: s.passwordMinClasses,
    notContaining: localPart.length >= MIN_LOCAL_PART_CHECKED ? localPart : undefined,
    maxUtf8Bytes: s.passwordScheme === 'BLF-CRYPT' ? BLF_CRYPT_MAX_BYTES : undefined,
  });
  return problems.map((p) => ({ field: 'password', message: `password ${p.message} (${p.rule})` }));
}
