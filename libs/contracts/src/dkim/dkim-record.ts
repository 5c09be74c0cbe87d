import type { DkimAlgorithm } from './dkim-selector.js';

/** A TXT character-string holds at most 255 octets (RFC 1035 §3.3); longer values are split. */
export const TXT_STRING_MAX = 255;

export interface DkimDnsRecord {
  name: string;
  type: 'TXT';
  value: string;
  strings: string[];
  zone_line: string;
}

/** `v=DKIM1; k=…; p=…`: `p` is base64 SubjectPublicKeyInfo for RSA, the raw 32-byte key for Ed25519 (RFC 8463). */
export function dkimTxtValue(algorithm: DkimAlgorithm, publicKey: string): string {
  return `v=DKIM1; k=${algorithm === 'ed25519' ? 'ed25519' : 'rsa'}; p=${publicKey}`;
}

/** Splits a TXT value into consecutive strings of at most `max` characters; resolvers join them back without separators. */
export function splitTxtValue(value: string, max = TXT_STRING_MAX): string[] {
  if (value === '') return [''];
  const out: string[] = [];
  for (let i = 0; i < value.length; i += max) out.push(value.slice(i, i + max));
  return out;
}

function quoted(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The record as one BIND zone-file line (absolute name, zone's default TTL). */
export function zoneLine(name: string, strings: string[]): string {
  return `${name}. IN TXT ( ${strings.map(quoted).join(' ')} )`;
}

export function dkimDnsRecord(selector: string, domain: string, algorithm: DkimAlgorithm, publicKey: string): DkimDnsRecord {
  const name = `${selector}._domainkey.${domain}`;
  const value = dkimTxtValue(algorithm, publicKey);
  const strings = splitTxtValue(value);
  return { name, type: 'TXT', value, strings, zone_line: zoneLine(name, strings) };
}
