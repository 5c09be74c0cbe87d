/**
 * The one password policy of Mailplane: account passwords (gateway, admin CLI, seed) and mailbox
 * passwords (mailbox-service, imports) are checked by the same rules with different settings.
 * Unicode-aware: length counts code points after NFC normalization (what a person counts, whatever
 * form the client sent), and the character classes are Unicode categories, so "Ünïcødé" passwords
 * are judged the same everywhere.
 */
export interface PasswordRules {
  minLength: number;
  maxLength?: number;
  /** How many of the classes below a password must mix. */
  minClasses: number;
  /** A scheme's byte limit (BLF-CRYPT hashes only the first 72 bytes). */
  maxUtf8Bytes?: number;
  /** Text the password must not contain (case-insensitive), e.g. the mailbox's local part. */
  notContaining?: string;
}

export type PasswordRule = 'min_length' | 'max_length' | 'min_classes' | 'max_bytes' | 'contains_local_part';

export interface PasswordProblem {
  rule: PasswordRule;
  /** Reads after the field name: "must be at least 12 characters long". Never contains the password. */
  message: string;
}

export const PASSWORD_CLASSES: readonly [string, RegExp][] = [
  ['lower-case letters', /\p{Ll}/u],
  ['upper-case letters', /\p{Lu}/u],
  ['digits', /\p{Nd}/u],
  ['symbols', /[^\p{L}\p{N}]/u],
];

export const ACCOUNT_PASSWORD_RULES: PasswordRules = { minLength: 12, maxLength: 256, minClasses: 3 };

export function passwordLength(password: string): number {
  return [...password.normalize('NFC')].length;
}

export function passwordClassCount(password: string): number {
  return PASSWORD_CLASSES.filter(([, re]) => re.test(password)).length;
}

/** Every rule the password breaks (empty: acceptable). */
export function passwordProblems(password: string, rules: PasswordRules): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = passwordLength(password);
  if (length < rules.minLength) problems.push({ rule: 'min_length', message: `must be at least ${rules.minLength} characters long` });
  if (rules.maxLength !== undefined && length > rules.maxLength)
    problems.push({ rule: 'max_length', message: `must be at most ${rules.maxLength} characters long` });
  const used = passwordClassCount(password);
  if (used < rules.minClasses) {
    problems.push({
      rule: 'min_classes',
      message: `must mix at least ${rules.minClasses} of: ${PASSWORD_CLASSES.map(([n]) => n).join(', ')}; it has ${used}`,
    });
  }
  if (rules.notContaining && password.toLowerCase().includes(rules.notContaining.toLowerCase())) {
    problems.push({ rule: 'contains_local_part', message: 'must not contain the mailbox’s local part' });
  }
  if (rules.maxUtf8Bytes !== undefined && Buffer.byteLength(password, 'utf8') > rules.maxUtf8Bytes) {
    problems.push({ rule: 'max_bytes', message: `must be at most ${rules.maxUtf8Bytes} bytes with this password scheme` });
  }
  return problems;
}
