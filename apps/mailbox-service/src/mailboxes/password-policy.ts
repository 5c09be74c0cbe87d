import type { FieldError } from '#contracts';
import { BLF_CRYPT_MAX_BYTES } from '#mailstack';
import type { MailboxSettings } from '../config/mailbox-settings.js';

const CLASSES: [string, RegExp][] = [
  ['lower-case letters', /\p{Ll}/u],
  ['upper-case letters', /\p{Lu}/u],
  ['digits', /\p{Nd}/u],
  ['symbols', /[^\p{L}\p{N}]/u],
];
/** Shorter local parts ("a", "jo") would forbid half the alphabet; they are not checked. */
const MIN_LOCAL_PART_CHECKED = 3;

/**
 * Every rule the password breaks, one field error each (empty = acceptable). Messages name the
 * rule; the password itself never appears in them.
 */
export function passwordPolicyProblems(password: string, localPart: string, s: MailboxSettings): FieldError[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < s.passwordMinLength) problems.push(`password must be at least ${s.passwordMinLength} characters long (min_length)`);
  const used = CLASSES.filter(([, re]) => re.test(password));
  if (used.length < s.passwordMinClasses) {
    problems.push(
      `password must mix at least ${s.passwordMinClasses} of: ${CLASSES.map(([n]) => n).join(', ')}; it has ${used.length} (min_classes)`,
    );
  }
  if (localPart.length >= MIN_LOCAL_PART_CHECKED && password.toLowerCase().includes(localPart.toLowerCase())) {
    problems.push('password must not contain the mailbox’s local part (contains_local_part)');
  }
  if (s.passwordScheme === 'BLF-CRYPT' && Buffer.byteLength(password, 'utf8') > BLF_CRYPT_MAX_BYTES) {
    problems.push(`password must be at most ${BLF_CRYPT_MAX_BYTES} bytes with the BLF-CRYPT scheme (max_bytes)`);
  }
  return problems.map((message) => ({ field: 'password', message }));
}
