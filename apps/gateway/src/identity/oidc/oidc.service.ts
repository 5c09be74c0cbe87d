import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import * as client from 'openid-client';
import { SecretBox, type AppConfig } from '#common';
import { normalizeDomainName } from '#contracts';
import { InjectConfig } from '../../shared/app-config.js';
import { AuthError, AuthErrorCode } from '../../shared/auth.errors.js';
import { REDIS } from '../../shared/redis.module.js';
import { AuthService } from '../auth/auth.service.js';
import type { TokenPairDto } from '../auth/dto/token-pair.dto.js';
import { ipAllowed } from '../auth/ip-allowlist.js';
import type { OidcConfigDto, PutOidcConfigDto } from './dto/oidc.dto.js';
import { OidcError, OidcErrorCode } from './oidc.errors.js';
import { OidcRepository, type OidcAccountRow, type OidcConfigRow } from './oidc.repository.js';

/** How long a started login may take at the IdP; its state is refused after that. */
const LOGIN_TTL_SECONDS = 600;
const STATE_KEY = (state: string) => `oidc:login:${state}`;
/** Binds the sealed client secret to its row, so a ciphertext copied from elsewhere does not open. */
const SECRET_AAD = 'oidc_config';
const DISCOVERY_TIMEOUT_SECONDS = 10;

/** What a started login leaves in Redis until its callback (single use: GETDEL). */
interface PendingLogin {
  code_verifier: string;
  nonce: string;
  /** The configuration it was started with: a callback after the IdP changed is refused. */
  issuer: string;
  client_id: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** https, or http on a loopback address (a local IdP in development and tests). */
function isAllowedIssuer(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
}

@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private readonly box: SecretBox | null;
  /** Discovery is fetched once per stored configuration (keyed by its updated_at), not per login. */
  private discovered: { key: string; config: Promise<client.Configuration> } | null = null;

  constructor(
    private readonly repo: OidcRepository,
    private readonly auth: AuthService,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectConfig() config: AppConfig,
  ) {
    this.box = config.MAILPLANE_SECRET_KEY ? new SecretBox(config.MAILPLANE_SECRET_KEY) : null;
  }

  async getConfig(): Promise<OidcConfigDto> {
    const c = await this.repo.config();
    return {
      issuer: c?.issuer ?? null,
      client_id: c?.client_id ?? null,
      client_secret_set: !!c,
      redirect_uri: c?.redirect_uri ?? null,
      allowed_domains: c?.allowed_domains ?? [],
      enabled: c?.enabled ?? false,
      updated_at: c ? new Date(c.updated_at).toISOString() : null,
    };
  }

  async putConfig(dto: PutOidcConfigDto): Promise<OidcConfigDto> {
    const fields: { field: string; message: string }[] = [];
    const issuer = parseUrl(dto.issuer);
    if (!issuer || !isAllowedIssuer(issuer) || issuer.search || issuer.hash) {
      fields.push({ field: 'issuer', message: 'issuer must be an https URL without query or fragment (http only on a loopback address)' });
    }
    const redirect = parseUrl(dto.redirect_uri);
    if (!redirect || !['https:', 'http:'].includes(redirect.protocol) || redirect.hash) {
      fields.push({ field: 'redirect_uri', message: 'redirect_uri must be an http(s) URL without fragment' });
    }
    const domains = dto.allowed_domains.map((d) => normalizeDomainName(d));
    if (domains.some((d) => d === null)) fields.push({ field: 'allowed_domains', message: 'allowed_domains must hold domain names' });
    const current = await this.repo.config();
    if (!dto.client_secret && !current) fields.push({ field: 'client_secret', message: 'client_secret is required the first time' });
    if (fields.length) throw new OidcError(OidcErrorCode.InvalidConfig, 'Validation failed', 'The OIDC configuration is invalid.', fields);
    const box = this.requireBox();
    await this.repo.saveConfig({
      issuer: dto.issuer,
      client_id: dto.client_id,
      client_secret_enc: dto.client_secret ? box.seal(dto.client_secret, SECRET_AAD) : current!.client_secret_enc,
      redirect_uri: dto.redirect_uri,
      allowed_domains: [...new Set(domains as string[])].sort(),
      enabled: dto.enabled,
    });
    return this.getConfig();
  }

  /** Starts a login: the state, nonce and PKCE verifier stay in Redis; the browser goes to the IdP. */
  async startLogin(): Promise<string> {
    const row = await this.enabledConfig();
    const config = await this.discover(row);
    const pending: PendingLogin = {
      code_verifier: client.randomPKCECodeVerifier(),
      nonce: client.randomNonce(),
      issuer: row.issuer,
      client_id: row.client_id,
    };
    const state = client.randomState();
    await this.redis.set(STATE_KEY(state), JSON.stringify(pending), 'EX', LOGIN_TTL_SECONDS);
    return client.buildAuthorizationUrl(config, {
      redirect_uri: row.redirect_uri,
      scope: 'openid email',
      response_type: 'code',
      state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.code_verifier),
      code_challenge_method: 'S256',
    }).href;
  }

  /**
   * The IdP's redirect back: `query` is the callback's query string as received. The state is taken
   * from Redis with GETDEL, so it completes on any gateway replica and only once.
   */
  async completeLogin(state: string | undefined, query: string, ip: string): Promise<TokenPairDto> {
    const row = await this.enabledConfig();
    const raw = state && state.length <= 512 ? await this.redis.getdel(STATE_KEY(state)) : null;
    if (!raw)
      throw new OidcError(OidcErrorCode.StateInvalid, 'OIDC state invalid', 'The login state is unknown, expired or already used: start the login again.');
    const pending = JSON.parse(raw) as PendingLogin;
    if (pending.issuer !== row.issuer || pending.client_id !== row.client_id) {
      throw new OidcError(OidcErrorCode.StateInvalid, 'OIDC state invalid', 'The OIDC configuration changed during this login: start the login again.');
    }
    const config = await this.discover(row);
    const currentUrl = new URL(row.redirect_uri);
    currentUrl.search = query;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    let claims: client.IDToken;
    try {
      tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.code_verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims()!;
    } catch (err) {
      throw this.refused(err);
    }
    // Many IdPs put email in the ID token; conforming ones (scope claims with an access token) only
    // at the userinfo endpoint, which is asked only when an unlinked identity needs its email.
    const emailClaims = async (): Promise<{ email?: unknown; email_verified?: unknown }> => {
      if (claims.email !== undefined) return { email: claims.email, email_verified: claims.email_verified };
      try {
        return await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      } catch (err) {
        throw this.refused(err);
      }
    };
    const account = await this.accountFor(row, claims, emailClaims);
    if (!account.active || !account.tenant_active) {
      throw new OidcError(OidcErrorCode.AccountDisabled, 'Account disabled', 'This account or its tenant is disabled.');
    }
    if (!ipAllowed(ip, account.ip_allowlist)) {
      throw new AuthError(AuthErrorCode.IpRestricted, `This account may not be used from ${ip || 'this address'}.`);
    }
    await this.repo.touchLink(claims.iss, claims.sub);
    // The IdP did its own authentication (and MFA): this is the complete login, TOTP included.
    return this.auth.completeLogin(account.id);
  }

  /** A linked (issuer, subject), else a verified email of an allowed domain (then linked). */
  private async accountFor(
    row: OidcConfigRow,
    claims: client.IDToken,
    emailClaims: () => Promise<{ email?: unknown; email_verified?: unknown }>,
  ): Promise<OidcAccountRow> {
    const linked = await this.repo.linkedAccount(claims.iss, claims.sub);
    if (linked) return linked;
    const info = await emailClaims();
    const email = typeof info.email === 'string' ? info.email.toLowerCase() : null;
    if (!email || info.email_verified !== true) {
      throw new OidcError(
        OidcErrorCode.NotLinked,
        'OIDC identity not linked',
        'This identity is not linked to an account and brings no verified email to link it by.',
      );
    }
    const domain = normalizeDomainName(email.slice(email.lastIndexOf('@') + 1));
    if (!domain || !row.allowed_domains.includes(domain)) {
      throw new OidcError(OidcErrorCode.DomainNotAllowed, 'OIDC email domain not allowed', `Logins by email are not allowed for ${domain ?? 'this domain'}.`);
    }
    const account = await this.repo.accountByEmail(email);
    if (!account) throw new OidcError(OidcErrorCode.NotLinked, 'OIDC identity not linked', 'No account has this email address.');
    if (!account.active || !account.tenant_active) {
      throw new OidcError(OidcErrorCode.AccountDisabled, 'Account disabled', 'This account or its tenant is disabled.');
    }
    if (!(await this.repo.link(account.id, claims.iss, claims.sub))) {
      throw new OidcError(OidcErrorCode.NotLinked, 'OIDC identity not linked', 'This account is already linked to another identity of this provider.');
    }
    return account;
  }

  private async enabledConfig(): Promise<OidcConfigRow> {
    const row = await this.repo.config();
    if (!row?.enabled) throw new OidcError(OidcErrorCode.NotConfigured, 'OIDC login not available', 'OIDC login is not configured or not enabled.');
    return row;
  }

  private discover(row: OidcConfigRow): Promise<client.Configuration> {
    const key = `${row.issuer}|${row.client_id}|${new Date(row.updated_at).toISOString()}`;
    if (this.discovered?.key === key) return this.discovered.config;
    const secret = this.openSecret(row.client_secret_enc);
    const issuer = new URL(row.issuer);
    const config = client
      .discovery(issuer, row.client_id, undefined, client.ClientSecretBasic(secret), {
        // Only reachable for a loopback issuer (putConfig refuses other http ones).
        execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
        timeout: DISCOVERY_TIMEOUT_SECONDS,
      })
      .catch((err: unknown) => {
        // A failed discovery is not cached: the next login tries again.
        if (this.discovered?.key === key) this.discovered = null;
        throw this.unavailable(err);
      });
    this.discovered = { key, config };
    return config;
  }

  private openSecret(sealed: string): string {
    try {
      return this.requireBox().open(sealed, SECRET_AAD);
    } catch (err) {
      if (err instanceof OidcError) throw err;
      throw new OidcError(
        OidcErrorCode.SecretKeyMissing,
        'OIDC login not available',
        'The stored client secret does not open with MAILPLANE_SECRET_KEY: set it again.',
      );
    }
  }

  private requireBox(): SecretBox {
    if (!this.box) throw new OidcError(OidcErrorCode.SecretKeyMissing, 'OIDC login not available', 'MAILPLANE_SECRET_KEY is not set on the gateway.');
    return this.box;
  }

  /** An IdP answer that does not hold up (bad code, state, nonce, signature...): 401; unreachable: 503. */
  private refused(err: unknown): OidcError {
    if (isNetworkError(err)) return this.unavailable(err);
    this.logger.warn({ err: (err as Error).message, code: (err as { code?: string }).code }, 'OIDC answer refused');
    return new OidcError(OidcErrorCode.ExchangeFailed, 'OIDC login failed', `The identity provider's answer was refused: ${describe(err)}`);
  }

  private unavailable(err: unknown): OidcError {
    if (err instanceof OidcError) return err;
    this.logger.warn({ err: (err as Error).message }, 'OIDC identity provider unreachable');
    return new OidcError(OidcErrorCode.IdpUnavailable, 'Identity provider unavailable', `The identity provider could not be reached: ${describe(err)}`);
  }
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** fetch() failures (refused, DNS, timeout) as opposed to an answer the IdP gave. */
function isNetworkError(err: unknown): boolean {
  return (err instanceof TypeError && err.message === 'fetch failed') || (err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError';
}

function describe(err: unknown): string {
  const e = err as { error?: string; error_description?: string; message?: string };
  return e.error ? `${e.error}${e.error_description ? ` (${e.error_description})` : ''}` : (e.message ?? String(err));
}
