import type { CallerContext, Role, Scope } from '#contracts';
import { roleAllows, scopeSatisfies, WILDCARD_SCOPE } from '#contracts';
import { AuthError, AuthErrorCode } from './auth.errors.js';

/** The authenticated caller of one request. */
export interface Principal {
  kind: 'account' | 'api_key';
  account_id: string;
  email: string;
  tenant_id: string;
  role: Role;
  /** Accounts (JWT) carry `*`, bounded by their role; keys carry what they were given. */
  scopes: string[];
  domain_allowlist: string[] | null;
  api_key_id: string | null;
  /** For keys: when the key expires (null = never). Keys it mints may not outlive it. */
  api_key_expires_at: Date | null;
  /** For keys: the key's own IP allowlist (CIDRs, null = anywhere); keys it mints stay inside it. */
  api_key_ip_allowlist?: string[] | null;
}

/** A key with a domain allow-list or without `*` manages only the keys it minted itself. */
export function isRestrictedKey(p: Principal): boolean {
  return p.kind === 'api_key' && (p.domain_allowlist !== null || !p.scopes.includes(WILDCARD_SCOPE));
}

export function principalAllows(p: Principal, scope: Scope): { scope: boolean; role: boolean } {
  return { scope: scopeSatisfies(p.scopes, scope), role: roleAllows(p.role, scope) };
}

export function isPlatformAdmin(p: Principal): boolean {
  return p.role === 'platform_admin';
}

/** For actions that reach beyond the route's own scope: every listed scope is needed. */
export function requireScopes(p: Principal, scopes: Scope[], what: string): void {
  const missing = scopes.filter((s) => !scopeSatisfies(p.scopes, s) || !roleAllows(p.role, s));
  if (missing.length) throw new AuthError(AuthErrorCode.InsufficientScope, `${what} also needs scope ${missing.join(', ')}.`);
}

/**
 * The domains a caller may reach: a domain_admin only its delegated ones (intersected with its key's
 * allow-list, if any), so every service's domain filtering applies delegation on every route.
 */
export function effectiveDomainAllowlist(role: Role, keyAllowlist: string[] | null, delegated: string[]): string[] | null {
  if (role !== 'domain_admin') return keyAllowlist;
  return keyAllowlist ? keyAllowlist.filter((d) => delegated.includes(d)) : [...delegated];
}

/** A domain_admin may not create or delete domains (it manages only what was delegated to it). */
export function forbidDomainAdmin(p: Principal, what: string): void {
  if (p.role === 'domain_admin') throw new AuthError(AuthErrorCode.RoleForbidden, `A domain_admin cannot ${what}.`);
}

/** What services need to scope their queries to this caller. */
export function callerContext(p: Principal, requestId?: string): CallerContext {
  return {
    tenant_id: isPlatformAdmin(p) ? null : p.tenant_id,
    domain_allowlist: p.domain_allowlist,
    home_tenant_id: p.tenant_id,
    request_id: requestId,
    actor_id: p.api_key_id ?? p.account_id,
  };
}

export const ACCOUNT_SCOPES = [WILDCARD_SCOPE];
