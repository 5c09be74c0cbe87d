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
 * Code points that render as nothing: zero-width space and joiners (U+200B-U+200D), word joiner
 * (U+2060), byte-order mark (U+FEFF), soft hyphen (U+00AD), variation selectors, bidi controls.
 * IDNA drops or keeps them silently, so the stored name would not be the one the caller sees.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

/**
 * Scripts a letter is told apart by. A letter of a script not listed counts as "Other": alone in
 * its label it passes, beside a listed script the label is mixed.
 */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Nko',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Ogham',
  'Runic',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
  'Yi',
  'Tifinagh',
  'Vai',
  'Javanese',
  'Balinese',
  'Sundanese',
  'Ol_Chiki',
  'Adlam',
  'Coptic',
  'Glagolitic',
].map((name) => ({ name, re: new RegExp(`^\\p{Script=${name}}$`, 'u') }));
/** Script mixes usual within one word (UTS #39 "highly restrictive"): Japanese, Chinese, Korean, each with Latin. */
const ALLOWED_MIXES = [new Set(['Latin', 'Han', 'Hiragana', 'Katakana']), new Set(['Latin', 'Han', 'Bopomofo']), new Set(['Latin', 'Han', 'Hangul'])];

/** The scripts of a label's letters (digits, hyphens and combining marks belong to none). */
export function labelScripts(label: string): string[] {
  const found = new Set<string>();
  for (const ch of label) {
    // Common/Inherited letters (the Japanese prolonged sound mark ー) belong to every script.
    if (!/\p{L}/u.test(ch) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(ch)) continue;
    found.add(SCRIPTS.find((s) => s.re.test(ch))?.name ?? 'Other');
  }
  return [...found];
}

function isMixedScript(scripts: string[]): boolean {
  return scripts.length > 1 && !ALLOWED_MIXES.some((mix) => scripts.every((s) => mix.has(s)));
}

const GENERIC_PROBLEM = 'must be a valid domain name such as example.com (IDN allowed)';
/** Case-insensitive comparison that also holds for ß, final sigma and dotted I. */
const sameText = (a: string, b: string) => a.toUpperCase().normalize('NFC') === b.toUpperCase().normalize('NFC');

export type DomainNameCheck = { ok: true; name: string } | { ok: false; problem: string };

/**
 * Lower-cases, converts IDN to punycode and checks RFC 1035/5890 shape. Refuses, with the reason:
 * invisible characters, a label mixing scripts (a look-alike such as "pаypal" with a Cyrillic а),
 * and anything IDNA would rewrite into another name (fullwidth letters, compatibility forms), so
 * the stored name is always the one sent, in A-label or U-label form.
 */
export function checkDomainName(input: unknown): DomainNameCheck {
  if (typeof input !== 'string') return { ok: false, problem: GENERIC_PROBLEM };
  const invisible = INVISIBLE.exec(input);
  if (invisible) {
    const cp = `U+${invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      ok: false,
      problem: `must not contain invisible characters such as zero-width spaces or joiners, word joiners, soft hyphens or byte-order marks (found ${cp})`,
    };
  }
  let name = input.trim().normalize('NFC');
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '' || name.length > 253 * 4 || /[\s/\\@:%]/.test(name) || isIP(name)) return { ok: false, problem: GENERIC_PROBLEM };
  const ascii = domainToASCII(name.toLowerCase());
  if (!ascii || ascii.length > 253) return { ok: false, problem: GENERIC_PROBLEM };
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return { ok: false, problem: GENERIC_PROBLEM };
  if (/^[0-9]+$/.test(labels[labels.length - 1])) return { ok: false, problem: GENERIC_PROBLEM };
  if (!labels.every((l) => !l.startsWith('xn--') || validALabel(l))) return { ok: false, problem: GENERIC_PROBLEM };
  const unicode = domainToUnicode(ascii).split('.');
  if (unicode.length !== labels.length || !unicode.every((l) => U_LABEL.test(l))) return { ok: false, problem: GENERIC_PROBLEM };
  for (const label of unicode) {
    const scripts = labelScripts(label);
    if (isMixedScript(scripts)) {
      return { ok: false, problem: `label "${label}" mixes ${scripts.join(' and ')} letters; a label must use one script (look-alike names are refused)` };
    }
  }
  // Each label as sent must be the stored A-label or its U-label, up to case.
  const sent = name.split(/[.\u3002\uff0e\uff61]/);
  if (sent.length !== labels.length || !sent.every((l, i) => sameText(l, labels[i]) || sameText(l, unicode[i]))) {
    const stored = domainToUnicode(ascii) === ascii ? ascii : `${domainToUnicode(ascii)} (${ascii})`;
    return {
      ok: false,
      problem: `would be stored as ${stored}, not as sent: it contains characters IDNA rewrites (fullwidth or compatibility forms); send the name as it should be stored`,
    };
  }
  return { ok: true, name: ascii };
}

/** The normalized (punycode, lower-case) name, or null when checkDomainName refuses it. */
export function normalizeDomainName(input: string): string | null {
  const r = checkDomainName(input);
  return r.ok ? r.name : null;
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
