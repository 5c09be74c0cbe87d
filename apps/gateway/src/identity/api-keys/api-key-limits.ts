import { normalizeDomainName, roleAllows, scopesWithin, isKnownScope } from '#contracts';
import { cidrsWithin } from '../auth/ip-allowlist.js';
import type { Principal } from '../../shared/principal.js';
import { ApiKeyError, ApiKeyErrorCode } from './api-keys.errors.js';

/** What bounds a key: a key never carries more than the credential that created or changed it. */
export interface KeyLimits {
  scopes: string[];
  domain_allowlist: string[] | null;
  ip_allowlist: string[] | null;
  expires_at: Date | null;
}

export function normalizeDomains(list: string[] | null | undefined): string[] | null {
  return list ? [...new Set(list.map((d) => normalizeDomainName(d) as string))] : null;
}

/** The caller's rights: 403 for anything in `k` beyond them (the create/PATCH rule). */
export function assertWithinCaller(p: Principal, k: Omit<KeyLimits, 'expires_at'>): void {
  const beyondRole = k.scopes.filter((s) => isKnownScope(s) && !roleAllows(p.role, s));
  if (beyondRole.length) {
    throw new ApiKeyError(ApiKeyErrorCode.ScopeBeyondCaller, 'Scope beyond your rights', `Your role ${p.role} cannot grant: ${beyondRole.join(', ')}.`);
  }
  if (!scopesWithin(p.scopes, k.scopes)) {
    const beyond = k.scopes.filter((s) => !scopesWithin(p.scopes, [s]));
    throw new ApiKeyError(ApiKeyErrorCode.ScopeBeyondCaller, 'Scope beyond your rights', `Your credential cannot grant: ${beyond.join(', ')}.`);
  }
  if (p.domain_allowlist) {
    const outside = (k.domain_allowlist ?? ['(all domains)']).filter((d) => !p.domain_allowlist!.includes(d));
    if (outside.length) {
      throw new ApiKeyError(
        ApiKeyErrorCode.AllowlistBeyondCaller,
        'Domain allow-list beyond your rights',
        `Your key is limited to ${p.domain_allowlist.join(', ')}; it cannot grant ${outside.join(', ')}.`,
      );
    }
  }
  const callerIps = p.api_key_ip_allowlist ?? null;
  if (!cidrsWithin(callerIps, k.ip_allowlist)) {
    throw new ApiKeyError(
      ApiKeyErrorCode.IpAllowlistBeyondCaller,
      'IP allowlist beyond your rights',
      `Your key is limited to ${callerIps!.join(', ')}; it cannot grant ${(k.ip_allowlist ?? ['(anywhere)']).join(', ')}.`,
    );
  }
}

/** Why `child` carries more than `parent` (empty = it fits). Used for a key's lineage on PATCH. */
export function excessOver(parent: KeyLimits, child: KeyLimits): string[] {
  const out: string[] = [];
  const scopes = child.scopes.filter((s) => !scopesWithin(parent.scopes, [s]));
  if (scopes.length) out.push(`scopes ${scopes.join(', ')}`);
  if (parent.domain_allowlist) {
    const outside = (child.domain_allowlist ?? ['(all domains)']).filter((d) => !parent.domain_allowlist!.includes(d));
    if (outside.length) out.push(`domains ${outside.join(', ')}`);
  }
  if (!cidrsWithin(parent.ip_allowlist, child.ip_allowlist)) out.push(`IP allowlist ${(child.ip_allowlist ?? ['(anywhere)']).join(', ')}`);
  if (parent.expires_at && (!child.expires_at || new Date(child.expires_at) > new Date(parent.expires_at))) {
    out.push(`expiry ${child.expires_at ? new Date(child.expires_at).toISOString() : 'never'}`);
  }
  return out;
}
