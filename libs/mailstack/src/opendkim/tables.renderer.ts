import { join } from 'node:path';
import type { ReconcileDkimKey } from '../reconcile/reconcile.types.js';

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function assertDnsName(kind: string, v: string): void {
  if (!v.split('.').every((l) => DNS_LABEL.test(l))) throw new Error(`DKIM ${kind} ${JSON.stringify(v)} is not a lower-case DNS name`);
}

export const keyTablePath = (dir: string) => join(dir, 'KeyTable');
export const signingTablePath = (dir: string) => join(dir, 'SigningTable');
export const keysDir = (dir: string) => join(dir, 'keys');
export const keyFilePath = (dir: string, k: Pick<ReconcileDkimKey, 'domain' | 'selector'>) => join(keysDir(dir), k.domain, `${k.selector}.private`);

/** Keys sorted by domain, so the tables (and their change detection) do not depend on input order. */
function sorted(keys: readonly ReconcileDkimKey[]): ReconcileDkimKey[] {
  for (const k of keys) {
    assertDnsName('domain', k.domain);
    assertDnsName('selector', k.selector);
  }
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.domain)) throw new Error(`two DKIM signing keys for ${k.domain}: one per domain`);
    seen.add(k.domain);
  }
  return [...keys].sort((a, b) => a.domain.localeCompare(b.domain));
}

/** KeyTable (file:): `<selector>._domainkey.<domain> <domain>:<selector>:<key file>`. */
export function renderKeyTable(dir: string, keys: readonly ReconcileDkimKey[]): string {
  return sorted(keys)
    .map((k) => `${k.selector}._domainkey.${k.domain} ${k.domain}:${k.selector}:${keyFilePath(dir, k)}\n`)
    .join('');
}

/** SigningTable (refile:): every sender of the domain signs with its key. */
export function renderSigningTable(keys: readonly ReconcileDkimKey[]): string {
  return sorted(keys)
    .map((k) => `*@${k.domain} ${k.selector}._domainkey.${k.domain}\n`)
    .join('');
}

/** The key files: PEM with a trailing newline. */
export function renderKeyFiles(dir: string, keys: readonly ReconcileDkimKey[]): { path: string; content: string }[] {
  return sorted(keys).map((k) => ({ path: keyFilePath(dir, k), content: k.privateKeyPem.trim() + '\n' }));
}
