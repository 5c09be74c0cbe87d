import { isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Lower-cases, converts IDN to punycode and checks RFC 1035/5890 shape. Returns null when the input
 * is not a usable mail domain (single label, numeric TLD, IP literal, too long, bad characters).
 */
export function normalizeDomainName(input: string): string | null {
  if (typeof input !== 'string') return null;
  let name = input.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || name.length > 253 * 4 || /[\s/\\@:]/.test(name) || isIP(name)) return null;
  const ascii = domainToASCII(name.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return null;
  return ascii;
}

export function domainNameToUnicode(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}

/** `outgoing_ip`: an IPv4/IPv6 address the domain sends from, or `auto` (the node's default). */
export function isValidOutgoingIp(value: unknown): boolean {
  return typeof value === 'string' && (value === 'auto' || isIP(value) !== 0);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
