import { BlockList, isIP } from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** What a U-label may hold: letters, combining marks, digits, hyphens (no symbols or emoji). */
const U_LABEL = /^[\p{L}\p{M}\p{N}-]+$/u;

/** An A-label (`xn--…`) must decode, and encode back to itself. */
function validALabel(label: string): boolean {
  const unicode = domainToUnicode(`${label}.test`).slice(0, -5);
  return unicode !== '' && unicode !== label && domainToASCII(`${unicode}.test`) === `${label}.test`;
}

/**
 * Lower-cases, converts IDN to punycode and checks RFC 1035/5890 shape. Returns null when the input
 * is not a usable mail domain (single label, numeric TLD, IP literal, too long, bad characters).
 */
export function normalizeDomainName(input: string): string | null {
  if (typeof input !== 'string') return null;
  let name = input.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || name.length > 253 * 4 || /[\s/\\@:%]/.test(name) || isIP(name)) return null;
  const ascii = domainToASCII(name.toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return null;
  if (!labels.every((l) => !l.startsWith('xn--') || validALabel(l))) return null;
  if (!domainToUnicode(ascii).split('.').every((l) => U_LABEL.test(l))) return null;
  return ascii;
}

export function domainNameToUnicode(ascii: string): string {
  return ascii.includes('xn--') ? domainToUnicode(ascii) || ascii : ascii;
}

/** Addresses nothing can send from: unspecified, "this network", multicast, reserved/broadcast. */
const NOT_A_SOURCE = new BlockList();
NOT_A_SOURCE.addSubnet('0.0.0.0', 8, 'ipv4');
NOT_A_SOURCE.addSubnet('224.0.0.0', 4, 'ipv4');
NOT_A_SOURCE.addSubnet('240.0.0.0', 4, 'ipv4');
NOT_A_SOURCE.addAddress('::', 'ipv6');
NOT_A_SOURCE.addSubnet('ff00::', 8, 'ipv6');

/**
 * `outgoing_ip`: `auto` (the node's default) or a unicast IPv4/IPv6 address, returned in canonical
 * form (IPv6 compressed, lower-case); null when unusable (zone ids, multicast, unspecified, ...).
 */
export function canonicalOutgoingIp(value: unknown): string | null {
  if (value === 'auto') return 'auto';
  if (typeof value !== 'string' || value.includes('%')) return null;
  const family = isIP(value);
  if (family === 0) return null;
  const canonical = family === 6 ? new URL(`http://[${value}]/`).hostname.slice(1, -1) : value;
  return NOT_A_SOURCE.check(canonical, family === 6 ? 'ipv6' : 'ipv4') ? null : canonical;
}

export function isValidOutgoingIp(value: unknown): boolean {
  return canonicalOutgoingIp(value) !== null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
