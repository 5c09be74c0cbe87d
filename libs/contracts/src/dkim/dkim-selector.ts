/** What each key type is; rsa-* are PKCS#8 PEM RSA keys of that size, ed25519 is RFC 8463. */
export const DKIM_ALGORITHMS = ['rsa-2048', 'rsa-1024', 'ed25519'] as const;
export type DkimAlgorithm = (typeof DKIM_ALGORITHMS)[number];
export const DEFAULT_DKIM_ALGORITHM: DkimAlgorithm = 'rsa-2048';
export const DEFAULT_DKIM_SELECTOR = 'default';

/** The longest selector accepted: one DNS label's worth, so key file names stay short. */
export const MAX_SELECTOR_LENGTH = 63;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A selector in stored form (lower-case), or why it is not one. RFC 6376 §3.1: sub-domain labels
 * (letters, digits, inner hyphens) separated by dots; no underscores, no empty labels.
 */
export function normalizeSelector(input: unknown): { ok: true; value: string } | { ok: false; reason: string } {
  if (typeof input !== 'string') return { ok: false, reason: 'selector must be a string' };
  const value = input.trim().toLowerCase();
  if (value === '') return { ok: false, reason: 'selector must not be empty' };
  if (value.length > MAX_SELECTOR_LENGTH) return { ok: false, reason: `selector must be at most ${MAX_SELECTOR_LENGTH} characters` };
  if (!value.split('.').every((label) => LABEL.test(label))) {
    return {
      ok: false,
      reason: 'selector must be DNS labels of letters, digits and hyphens (not at the start or end of a label), separated by dots, e.g. s2026 or mail-1',
    };
  }
  return { ok: true, value };
}

/** The date-based selector a rotation picks by default, `s20261121` (UTC). */
export function dateSelector(at: Date): string {
  return `s${at.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The first of `base`, `base-2`, `base-3`, … that is not in `taken`. */
export function firstFreeSelector(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
