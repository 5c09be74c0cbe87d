import { join } from 'node:path';
import type { GlobalSettings } from '#contracts';
import type { ReconcileAntispamEntry, ReconcileRecipientPolicy } from '../reconcile/reconcile.types.js';

/**
 * What reconcile renders for Rspamd (docs/architecture.md#mail-stack). The static part (workers, the Lua
 * policy that reads these maps, the multimap rules naming the list files) is scripts/lib/antispam-stack.sh.
 */
export const RSPAMD_MAPS_DIR = 'mailplane';
export const LIST_MAPS = ['whitelist_ip', 'whitelist_from', 'whitelist_domain', 'blacklist_ip', 'blacklist_from', 'blacklist_domain'] as const;
export type ListMap = (typeof LIST_MAPS)[number];

export const rspamdMapPath = (rspamdDir: string, name: ListMap | 'recipients' | 'globals' | 'domain_lists') => join(rspamdDir, RSPAMD_MAPS_DIR, `${name}.map`);
export const greylistConfPath = (rspamdDir: string) => join(rspamdDir, 'local.d', 'greylist.conf');
export const rblConfPath = (rspamdDir: string) => join(rspamdDir, 'override.d', 'rbl.conf');

const HEADER = '# Rendered by Mailplane reconcile; do not edit.';

/** A map key: one token (a map line is `key value`; `#` starts a comment). Lower-cased. */
function safe(v: string, what: string): string {
  if (!v || /[\s#"\\\x00-\x1f\x7f]/.test(v)) throw new Error(`${what} ${JSON.stringify(v)} cannot go into an Rspamd map`);
  return v.toLowerCase();
}

/** `<key> <reject-at score or -> <greylist 0|1> <clamav action>`, read by rspamd.local.lua. */
export function renderRecipientsMap(policies: readonly ReconcileRecipientPolicy[]): string {
  const lines = policies.map((p) => {
    const rejectAt = p.rejectAt === null ? '-' : String(p.rejectAt);
    return `${safe(p.key, 'recipient')} ${rejectAt} ${p.greylist ? 1 : 0} ${safe(p.clamav, 'clamav action')}`;
  });
  return [HEADER, ...lines, ''].join('\n');
}

export function renderGlobalsMap(g: Pick<GlobalSettings, 'greylist_enabled' | 'dnsbl_enabled' | 'dnsbl_threshold'>): string {
  return [HEADER, `greylist ${g.greylist_enabled ? 1 : 0}`, `dnsbl_threshold ${g.dnsbl_enabled ? g.dnsbl_threshold : 0}`, ''].join('\n');
}

/** The six list maps: addresses and CIDR blocks, sender addresses, sender domains. */
export function renderListMaps(entries: readonly ReconcileAntispamEntry[]): Record<ListMap, string> {
  const out = Object.fromEntries(LIST_MAPS.map((m) => [m, [] as string[]])) as Record<ListMap, string[]>;
  for (const e of entries) {
    if (e.domain !== null) continue;
    const kind = e.entryType === 'ip' || e.entryType === 'cidr' ? 'ip' : e.entryType === 'email' ? 'from' : 'domain';
    out[`${e.list}_${kind}`].push(safe(e.value, `${e.list} entry`));
  }
  return Object.fromEntries(LIST_MAPS.map((m) => [m, [HEADER, ...out[m].sort(), ''].join('\n')])) as Record<ListMap, string>;
}

/** A single address as a network (`/32`, `/128`), so one lookup form covers ip and cidr entries. */
function asNetwork(e: ReconcileAntispamEntry): string {
  if (e.entryType === 'cidr') return e.value;
  return e.value.includes(':') ? `${e.value}/128` : `${e.value}/32`;
}

/**
 * The domains' own lists, one hash map: `<domain>|ip|<network>`, `<domain>|from|<address>` or
 * `<domain>|domain|<sender domain>`, valued whitelist or blacklist. rspamd.local.lua looks up the
 * client's networks by prefix length. An entry on both lists of a domain counts as whitelisted.
 */
export function renderDomainListsMap(entries: readonly ReconcileAntispamEntry[]): string {
  const keys = new Map<string, string>();
  for (const e of entries) {
    if (e.domain === null) continue;
    const kind = e.entryType === 'ip' || e.entryType === 'cidr' ? 'ip' : e.entryType === 'email' ? 'from' : 'domain';
    const key = `${safe(e.domain, 'domain')}|${kind}|${safe(kind === 'ip' ? asNetwork(e) : e.value, `${e.list} entry`)}`;
    if (keys.get(key) !== 'whitelist') keys.set(key, e.list);
  }
  return [HEADER, ...[...keys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k} ${v}`), ''].join('\n');
}

/**
 * Greylisting: the delay and how long a passed triplet is remembered. Loopback and private clients are
 * greylisted too (check_local): relays inside the network are the platform's business, not a reason to skip.
 */
export function renderGreylistConf(g: Pick<GlobalSettings, 'greylist_delay_seconds' | 'greylist_max_age_days'>): string {
  return [
    HEADER,
    `timeout = ${g.greylist_delay_seconds}s;`,
    `expire = ${g.greylist_max_age_days}d;`,
    'check_local = true;',
    'check_authed = false;',
    'message = "Try again later (greylisted)";',
    '',
  ].join('\n');
}

/**
 * One RBL rule per DNSBL zone, each worth 1: rspamd.local.lua refuses the client when the number of
 * zones listing it reaches dnsbl_threshold. Replaces the stock zones (override.d). The rbl module
 * disables a rule with unknown fields (no score or description here): the symbols score 0.
 */
export function renderRblConf(g: Pick<GlobalSettings, 'dnsbl_enabled' | 'dnsbl_sites'>): string {
  const rules = g.dnsbl_enabled
    ? g.dnsbl_sites.map((site, i) => {
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(site))
          throw new Error(`DNSBL site ${JSON.stringify(site)} is not a DNS name`);
        const zone = site.toLowerCase();
        const name = `MAILPLANE_DNSBL_${i + 1}`;
        return `  ${name} { symbol = "${name}"; rbl = "${zone}"; from = true; received = false; ipv4 = true; ipv6 = true; exclude_local = false; exclude_private_ips = false; }`;
      })
    : [];
  return [HEADER, 'url_whitelist = [];', 'rbls {', ...rules, '}', ''].join('\n');
}
