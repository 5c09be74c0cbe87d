/**
 * Removes secrets from what the audit log stores. Two nets: a field-name list (anything that
 * names a password, key, token, secret, TOTP/MFA or recovery code, hash, QR/otpauth payload) and
 * a value check (strings shaped like our API keys, JWTs or PEM private keys), so a secret under an
 * unexpected field name is still caught.
 */
export const REDACTED = '[REDACTED]';

/** Field names (case-insensitive, `-`/`_` ignored) whose values are never stored. */
export const SECRET_FIELD_PATTERNS: readonly RegExp[] = [
  /pass(word|phrase)?/,
  /secret/,
  /token/,
  /privatekey/,
  /^key$/,
  /apikey$/,
  /(^|[a-z])key(enc|pem|material)?$/, // dkim private_key_enc, tls key, signing key, public_key
  /totp/,
  /otp/,
  /mfa/,
  /recovery/,
  /^code$/,
  /^codes$/,
  /hash/,
  /credential/,
  /authorization/,
  /cookie/,
  /^qr/,
  /salt/,
];

const API_KEY_VALUE = /\bmp_[A-Za-z0-9]+_[A-Za-z0-9_-]{8,}/;
const JWT_VALUE = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;
const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const PASSWORD_HASH_VALUE = /^\{[A-Z0-9-]+\}|^\$(argon2|2[aby]|6|5|1)\$/;

export function isSecretField(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_FIELD_PATTERNS.some((re) => re.test(n));
}

export function isSecretValue(value: string): boolean {
  return API_KEY_VALUE.test(value) || JWT_VALUE.test(value) || PEM_PRIVATE.test(value) || PASSWORD_HASH_VALUE.test(value);
}

const MAX_DEPTH = 12;

/** A deep copy with every secret replaced by "[REDACTED]"; never mutates its input. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return isSecretValue(value) ? REDACTED : value;
  if (typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = isSecretField(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
