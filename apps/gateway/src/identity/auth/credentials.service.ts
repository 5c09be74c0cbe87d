import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { looksLikeApiKey, parseApiKey, safeEqualHex, sha256Hex, type AppConfig } from '#common';
import { InjectConfig } from '../../shared/app-config.js';
import { AuthError, AuthErrorCode } from '../../shared/auth.errors.js';
import { ipAllowed } from './ip-allowlist.js';
import { CredentialsRepository, type AccountRecord, type KeyRecord } from './credentials.repository.js';
import { ACCOUNT_SCOPES, effectiveDomainAllowlist, type Principal } from '../../shared/principal.js';
import type { LRUCache } from 'lru-cache';
import { authCache, forgetWhere } from '../../shared/auth-cache.js';

export interface AccessTokenClaims {
  sub: string;
  typ: 'access';
}

/** How often at most `last_used_at` is written per key (not once per request). */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
/** How long an unknown key id is remembered as unknown (at least AUTH_CACHE_TTL_MS). */
const UNKNOWN_KEY_TTL_MS = 60_000;

/**
 * Turns request headers into a Principal. Lookups are cached for AUTH_CACHE_TTL_MS (default 1 s) so
 * a revoked key or disabled account stops working on every replica within that time, without a
 * database round-trip per request.
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);
  private readonly keys: LRUCache<string, KeyRecord>;
  private readonly accounts: LRUCache<string, AccountRecord>;
  /**
   * Key ids the database does not know: a bogus key costs one query, not one per request. Key ids are
   * 64 random bits chosen at minting (and at rotation), so one that was unknown stays unknown.
   */
  private readonly unknownKeys: LRUCache<string, true>;
  private readonly lastUsedWrites = new Map<string, number>();

  constructor(
    private readonly repo: CredentialsRepository,
    private readonly jwt: JwtService,
    @InjectConfig() config: AppConfig,
  ) {
    this.keys = authCache(config.AUTH_CACHE_TTL_MS);
    this.accounts = authCache(config.AUTH_CACHE_TTL_MS);
    this.unknownKeys = authCache(Math.max(config.AUTH_CACHE_TTL_MS, UNKNOWN_KEY_TTL_MS), 100_000);
  }

  async authenticate(headers: Record<string, string | string[] | undefined>, ip: string): Promise<Principal> {
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') return this.byApiKey(apiKey.trim(), ip);
    const authorization = headers.authorization;
    if (typeof authorization === 'string' && authorization !== '') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) throw new AuthError(AuthErrorCode.InvalidToken, 'Authorization must be "Bearer <token>".');
      return looksLikeApiKey(m[1]) ? this.byApiKey(m[1], ip) : this.byJwt(m[1], ip);
    }
    throw new AuthError(AuthErrorCode.MissingCredentials, 'Send Authorization: Bearer <access token or API key>, or X-API-Key: <API key>.');
  }

  /** Called when a key changes so this replica stops serving the cached copy at once. */
  forgetKey(keyId: string): void {
    this.keys.delete(keyId);
    this.unknownKeys.delete(keyId);
  }

  /** An account changed (role, delegation, active, deleted): its cached copy and its keys' go. */
  forgetAccount(accountId: string): void {
    this.accounts.delete(accountId);
    forgetWhere(this.keys, (r) => r.account_id === accountId);
  }

  /** A tenant was suspended, resumed or deleted: drop every cached key and account of it. */
  forgetTenant(tenantId: string): void {
    forgetWhere(this.keys, (r) => r.tenant_id === tenantId);
    forgetWhere(this.accounts, (r) => r.tenant_id === tenantId);
  }

  private async byApiKey(value: string, ip: string): Promise<Principal> {
    const parsed = parseApiKey(value);
    if (!parsed) throw new AuthError(AuthErrorCode.InvalidToken, 'The API key is malformed.');
    if (this.unknownKeys.has(parsed.keyId)) throw new AuthError(AuthErrorCode.InvalidToken, 'Unknown API key.');
    let rec = this.keys.get(parsed.keyId);
    if (!rec) {
      rec = await this.repo.keyById(parsed.keyId);
      if (!rec) {
        this.unknownKeys.set(parsed.keyId, true);
        throw new AuthError(AuthErrorCode.InvalidToken, 'Unknown API key.');
      }
      this.keys.set(parsed.keyId, rec);
    }
    if (!safeEqualHex(rec.secret_sha256, sha256Hex(parsed.secret))) {
      throw new AuthError(AuthErrorCode.InvalidToken, 'Unknown API key.');
    }
    if (rec.revoked_at) throw new AuthError(AuthErrorCode.KeyRevoked, 'This API key has been revoked.');
    if (rec.expires_at && new Date(rec.expires_at).getTime() <= Date.now()) {
      throw new AuthError(AuthErrorCode.KeyExpired, 'This API key has expired.');
    }
    if (!rec.tenant_active) throw new AuthError(AuthErrorCode.AccountDisabled, 'The tenant owning this key is suspended.');
    if (!rec.account_active) {
      throw new AuthError(AuthErrorCode.AccountDisabled, 'The account or tenant owning this key is disabled.');
    }
    // Both the key's and its owning account's allowlists apply (before any scope check).
    this.checkIp(ip, rec.ip_allowlist, 'API key');
    this.checkIp(ip, rec.account_ip_allowlist, 'account owning this key');
    this.noteKeyUse(rec.id, ip);
    return {
      kind: 'api_key',
      account_id: rec.account_id,
      email: rec.email,
      tenant_id: rec.tenant_id,
      role: rec.role,
      scopes: rec.scopes,
      domain_allowlist: effectiveDomainAllowlist(rec.role, rec.domain_allowlist, rec.delegated_domains),
      api_key_id: rec.id,
      api_key_expires_at: rec.expires_at ? new Date(rec.expires_at) : null,
      api_key_ip_allowlist: rec.ip_allowlist,
    };
  }

  private async byJwt(token: string, ip: string): Promise<Principal> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims & object>(token, { algorithms: ['HS256'] });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw new AuthError(AuthErrorCode.TokenExpired, 'The access token has expired; use the refresh token.');
      throw new AuthError(AuthErrorCode.InvalidToken, 'The access token is invalid.');
    }
    if (claims.typ !== 'access' || typeof claims.sub !== 'string' || typeof (claims as { exp?: unknown }).exp !== 'number') {
      throw new AuthError(AuthErrorCode.InvalidToken, 'Not an access token.');
    }
    const account = await this.account(claims.sub);
    if (account && !account.tenant_active) throw new AuthError(AuthErrorCode.AccountDisabled, 'The account’s tenant is suspended.');
    if (!account || !account.active) {
      throw new AuthError(AuthErrorCode.AccountDisabled, 'The account is disabled or no longer exists.');
    }
    this.checkIp(ip, account.ip_allowlist, 'account');
    return {
      kind: 'account',
      account_id: account.id,
      email: account.email,
      tenant_id: account.tenant_id,
      role: account.role,
      scopes: ACCOUNT_SCOPES,
      domain_allowlist: effectiveDomainAllowlist(account.role, null, account.delegated_domains),
      api_key_id: null,
      api_key_expires_at: null,
    };
  }

  private async account(id: string): Promise<AccountRecord | undefined> {
    const cached = this.accounts.get(id);
    if (cached) return cached;
    const row = await this.repo.account(id);
    if (row) this.accounts.set(id, row);
    return row;
  }

  private checkIp(ip: string, allowlist: string[] | null, what: string): void {
    if (!ipAllowed(ip, allowlist)) {
      // The allowed networks are not echoed: the caller is, by definition, somewhere unexpected.
      throw new AuthError(AuthErrorCode.IpRestricted, `Requests from ${ip} are not allowed for this ${what}.`);
    }
  }

  private noteKeyUse(id: string, ip: string): void {
    const now = Date.now();
    if ((this.lastUsedWrites.get(id) ?? 0) + LAST_USED_WRITE_INTERVAL_MS > now) return;
    if (this.lastUsedWrites.size > 10_000) this.lastUsedWrites.clear();
    this.lastUsedWrites.set(id, now);
    this.repo.noteKeyUse(id, ip).catch((err: unknown) => this.logger.warn({ err }, 'could not record API key use'));
  }
}
