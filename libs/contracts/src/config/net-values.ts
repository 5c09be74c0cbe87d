import { isIP } from 'node:net';
import { normalizeDomainName } from '../domains/domain-name.js';

/** An IPv4/IPv6 address in canonical form (IPv6 compressed, lower-case); null when not an address (zone ids refused). */
export function canonicalIp(value: unknown): string | null {
  if (typeof value !== 'string' || value.includes('%')) return null;
  const family = isIP(value);
  if (family === 0) return null;
  return family === 6 ? new URL(`http://[${value}]/`).hostname.slice(1, -1) : value;
}

export type CidrCheck = { ok: true; value: string } | { ok: false; reason: string };

/** The network address of `ip`/`prefix`, i.e. with every host bit cleared. */
function networkOf(ip: string, prefix: number, family: 4 | 6): string {
  if (family === 4) {
    const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - prefix);
    const net = Math.floor(n / size) * size;
    return [24, 16, 8, 0].map((s) => Math.floor(net / 2 ** s) % 256).join('.');
  }
  const bits = BigInt(`0x${expandIpv6(ip).replace(/:/g, '')}`);
  const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - prefix)) - 1n);
  const hex = (bits & mask).toString(16).padStart(32, '0');
  return canonicalIp(hex.match(/.{4}/g)!.join(':'))!;
}

function expandIpv6(ip: string): string {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const toGroups = (s: string): string[] => {
    if (!s) return [];
    return s.split(':').flatMap((g) => {
      if (!g.includes('.')) return [g];
      const o = g.split('.').map(Number);
      return [((o[0] << 8) | o[1]).toString(16), ((o[2] << 8) | o[3]).toString(16)];
    });
  };
  const h = toGroups(head);
  const t = tail === undefined ? [] : toGroups(tail);
  const fill = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}

/**
 * A CIDR block `address/prefix`. The prefix must be 1..32 (IPv4) or 1..128 (IPv6) (a /0 would match
 * every address) and the address must be the network address: host bits set are refused with the
 * block that was probably meant, so a typo never silently widens or narrows a list.
 */
export function checkCidr(value: unknown): CidrCheck {
  if (typeof value !== 'string') return { ok: false, reason: 'must be a CIDR block such as 192.0.2.0/24 or 2001:db8::/32' };
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value.trim());
  const ip = m ? canonicalIp(m[1]) : null;
  if (!m || !ip) return { ok: false, reason: 'must be a CIDR block such as 192.0.2.0/24 or 2001:db8::/32' };
  const family = isIP(ip) as 4 | 6;
  const prefix = Number(m[2]);
  const max = family === 4 ? 32 : 128;
  if (prefix < 1 || prefix > max) return { ok: false, reason: `prefix length must be 1..${max} for IPv${family}` };
  const network = networkOf(ip, prefix, family);
  if (network !== ip) return { ok: false, reason: `${value} has host bits set; the network is ${network}/${prefix}` };
  return { ok: true, value: `${network}/${prefix}` };
}

/** An address or a CIDR block (Postfix mynetworks style); canonical form or a reason. */
export function checkIpOrCidr(value: unknown): CidrCheck {
  if (typeof value === 'string' && !value.includes('/')) {
    const ip = canonicalIp(value.trim());
    return ip ? { ok: true, value: ip } : { ok: false, reason: 'must be an IPv4/IPv6 address or a CIDR block such as 192.0.2.0/24' };
  }
  return checkCidr(value);
}

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_STRING = new RegExp(`^${ATOM}(\\.${ATOM})*$`);

/**
 * An RFC 5321 mailbox `local@domain` with a dot-string local part (quoted local parts are refused:
 * Postfix maps and most clients mishandle them). Local part kept as given (at most 64 octets), domain
 * lower-cased and IDN converted to punycode, whole address at most 254 octets; null when invalid.
 */
export function normalizeMailAddress(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const at = value.lastIndexOf('@');
  if (at <= 0) return null;
  const local = value.slice(0, at);
  const domain = normalizeDomainName(value.slice(at + 1));
  if (!domain || !DOT_STRING.test(local) || Buffer.byteLength(local) > 64) return null;
  const address = `${local}@${domain}`;
  return Buffer.byteLength(address) <= 254 ? address : null;
}
