import { normalizeDomainName } from '../domains/domain-name.js';

/** RFC 5322 atext without `/` (a maildir path component must not hold one), plus the dot. */
const LOCAL_PART_CHARS = /^[a-z0-9!#$%&'*+\-=?^_`{|}~.]+$/i;
/** RFC 5321 dot-string characters, for destinations (remote systems may allow `/`). */
const DOT_STRING_CHARS = /^[a-z0-9!#$%&'*+\-/=?^_`{|}~.]+$/i;
export const MAX_LOCAL_PART_OCTETS = 64;
export const MAX_ADDRESS_OCTETS = 254;

const octets = (s: string) => Buffer.byteLength(s, 'utf8');

/** Why `local` cannot be the local part of a mailbox or alias here, or null. */
export function localPartProblem(local: string): string | null {
  if (local === '') return 'the local part must not be empty';
  if (octets(local) > MAX_LOCAL_PART_OCTETS) return `the local part must be at most ${MAX_LOCAL_PART_OCTETS} octets`;
  if (/[@/\\\u0000]/.test(local)) return 'the local part must not contain @, /, \\ or NUL';
  if (local.includes('..')) return 'the local part must not contain two dots in a row';
  if (local.startsWith('.') || local.endsWith('.')) return 'the local part must not start or end with a dot';
  if (!LOCAL_PART_CHARS.test(local)) return "the local part may only contain letters, digits and !#$%&'*+-=?^_`{|}~.";
  return null;
}

/** Splits at the last `@`; null when there is none. */
export function splitAddress(input: string): { local: string; domain: string } | null {
  const at = input.lastIndexOf('@');
  if (at < 0) return null;
  return { local: input.slice(0, at), domain: input.slice(at + 1) };
}

export type AddressResult = { ok: true; address: string; local: string; domain: string } | { ok: false; problem: string };

/** A mailbox or alias address in one of our domains: lower-cased, domain in punycode. */
export function normalizeLocalAddress(local: string, domain: string): AddressResult {
  const lower = local.toLowerCase();
  const problem = localPartProblem(lower);
  if (problem) return { ok: false, problem };
  const address = `${lower}@${domain}`;
  if (octets(address) > MAX_ADDRESS_OCTETS) return { ok: false, problem: `the address must be at most ${MAX_ADDRESS_OCTETS} octets` };
  return { ok: true, address, local: lower, domain };
}

/**
 * An alias destination: any RFC 5321 address (dot-string local part, local or remote domain). The
 * domain part is lower-cased and converted to punycode; the local part keeps its case.
 */
export function normalizeDestination(input: string): AddressResult {
  const parts = splitAddress(input.trim());
  if (!parts) return { ok: false, problem: 'must be an address such as user@example.com' };
  const { local } = parts;
  if (local === '' || octets(local) > MAX_LOCAL_PART_OCTETS) return { ok: false, problem: `the local part must be 1-${MAX_LOCAL_PART_OCTETS} octets` };
  if (!DOT_STRING_CHARS.test(local) || local.includes('..') || local.startsWith('.') || local.endsWith('.')) {
    return { ok: false, problem: 'the local part must be an RFC 5321 dot-string' };
  }
  const domain = normalizeDomainName(parts.domain);
  if (!domain) return { ok: false, problem: 'the domain part must be a valid domain name' };
  const address = `${local}@${domain}`;
  if (octets(address) > MAX_ADDRESS_OCTETS) return { ok: false, problem: `the address must be at most ${MAX_ADDRESS_OCTETS} octets` };
  return { ok: true, address, local, domain };
}
