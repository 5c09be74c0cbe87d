import { normalizeDomainName } from '../domains/domain-name.js';
import { canonicalIp, checkCidr, normalizeMailAddress } from '../config/net-values.js';

export const ANTISPAM_LISTS = ['whitelist', 'blacklist'] as const;
export type AntispamList = (typeof ANTISPAM_LISTS)[number];
export const ANTISPAM_ENTRY_TYPES = ['ip', 'cidr', 'domain', 'email'] as const;
export type AntispamEntryType = (typeof ANTISPAM_ENTRY_TYPES)[number];

/**
 * The canonical stored form of an entry value, or why it is not valid for its type:
 * ip → IPv4/IPv6 (IPv6 compressed, lower-case); cidr → network address/prefix (host bits set are
 * refused naming the network meant); domain → lower-case punycode DNS name; email → RFC 5321
 * address with the domain lower-cased.
 */
export function canonicalEntryValue(type: AntispamEntryType, value: string): { ok: true; value: string } | { ok: false; reason: string } {
  switch (type) {
    case 'ip': {
      const ip = canonicalIp(value.trim());
      return ip ? { ok: true, value: ip } : { ok: false, reason: 'value must be an IPv4 or IPv6 address for entry_type ip' };
    }
    case 'cidr': {
      const r = checkCidr(value);
      return r.ok ? r : { ok: false, reason: `value ${r.reason}` };
    }
    case 'domain': {
      const name = normalizeDomainName(value);
      return name ? { ok: true, value: name } : { ok: false, reason: 'value must be a valid domain name such as example.com for entry_type domain' };
    }
    case 'email': {
      const address = normalizeMailAddress(value.trim());
      return address
        ? { ok: true, value: address }
        : { ok: false, reason: 'value must be an RFC 5321 address such as spammer@example.com for entry_type email' };
    }
  }
}
