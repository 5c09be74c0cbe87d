import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { SecretBox, type AppConfig } from '#common';
import { jobsPrefix } from '#jobs';
import { InjectConfig } from '../../shared/app-config.js';
import { isPlatformAdmin, isRestrictedKey, type Principal } from '../../shared/principal.js';
import { REDIS } from '../../shared/redis.module.js';
import { AuthService } from '../auth/auth.service.js';
import type { TokenPairDto } from '../auth/dto/token-pair.dto.js';
import type { OidcConfigDto, PutOidcConfigDto } from './oidc.dto.js';
import { OidcError, OidcErrorCode } from './oidc.errors.js';
import { OidcRepository, type OidcAccountRow, type OidcConfigRow } from './oidc.repository.js';

/** How long a started login may take at the provider. */
const STATE_TTL_SECONDS = 600;
/** The provider's discovered metadata is reused this long. */
const DISCOVERY_TTL_MS = 600_000;

type OidcClaims = { sub: string; email?: unknown; email_verified?: unknown };

interface PendingLogin {
  nonce: string;
  verifier: string;
}

/**
 * OIDC login (authorization code flow with PKCE, state and nonce) for existing accounts: a subject
 * linked before, or else a verified email of an allowed domain that matches an account (then linked).
 * The pending login lives in Redis, single use, so any gateway replica completes it. A completed
 * login gets the same token pair as POST /auth/login; the provider does its own second factor, so
 * the account's TOTP step is not asked again.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);
  private readonly prefix: string;
  private discovered: { key: string; at: number; config: Promise<oidc.Configuration> } | null = null;

  constructor(
    private readonly repo: OidcRepository,
    private readonly auth: AuthService,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.prefix = `${jobsPrefix(config.DATABASE_URL)}:oidc-state:`;
  }

  async getConfig(p: Principal): Promise<OidcConfigDto> {
    this.platformOnly(p);
    const row = await this.repo.config();
    if (!row) throw new OidcError(OidcErrorCode.NotConfigured, 'Not found', 'No OIDC provider is configured; PUT /auth/oidc/config sets one.');
    return toDto(row);
  }

  async putConfig(p: Principal, dto: PutOidcConfigDto): Promise<OidcConfigDto> {
    this.platformOnly(p);
    const current = await this.repo.config();
    if (dto.client_secret === undefined && !current) {
      throw new OidcError(OidcErrorCode.InvalidConfig, 'Validation failed', 'client_secret is required the first time.', [
        { field: 'client_secret', message: 'client_secret is required' },
      ]);
    }
    const domains = [...new Set(dto.allowed_domains.map((d) => d.trim().toLowerCase()))];
    const bad = domains.filter((d) => !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/.test(d));
    if (bad.length)
      throw new OidcError(OidcErrorCode.InvalidConfig, 'Validation failed', `Not domain names: ${bad.join(', ')}.`, [
        { field: 'allowed_domains', message: 'must be domain names' },
      ]);
    const sealed = dto.client_secret !== undefined ? this.box().seal(dto.client_secret, 'oidc') : current!.client_secret_enc;
    await this.repo.saveConfig({
      enabled: dto.enabled,
      issuer: dto.issuer,
      client_id: dto.client_id,
      client_secret_enc: sealed,
      redirect_uri: dto.redirect_uri,
      allowed_domains: domains,
    });
    this.discovered = null;
    return toDto((await this.repo.config())!);
  }

  /** Starts a login: the provider's authorization URL for a fresh state, nonce and PKCE verifier. */
  async start(): Promise<string> {
    const { row, client } = await this.client();
    const pending: PendingLogin = { nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    const state = oidc.randomState();
    await this.redis.set(this.prefix + state, JSON.stringify(pending), 'EX', STATE_TTL_SECONDS);
    return oidc
      .buildAuthorizationUrl(client, {
        redirect_uri: row.redirect_uri,
        scope: 'openid email',
        state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      })
      .toString();
  }

  /** Completes a login from the provider's redirect (`query` as received): tokens, or 401 saying why not. */
  async complete(query: Record<string, string | undefined>): Promise<TokenPairDto> {
    const state = query.state;
    // Single use: GETDEL, so a replayed callback finds nothing.
    const saved = state ? await this.redis.getdel(this.prefix + state) : null;
    if (!state || !saved)
      throw new OidcError(OidcErrorCode.StateInvalid, 'Invalid login state', 'This login is unknown, expired or already completed; start again.');
    const pending = JSON.parse(saved) as PendingLogin;
    const { row, client } = await this.client();
    const current = new URL(row.redirect_uri);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) current.searchParams.set(k, v);
    let claims: OidcClaims | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(client, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const id = tokens.claims();
      claims = id;
      // Providers that keep the email out of the ID token (scope claims go to userinfo) answer it there.
      if (id && typeof id.email !== 'string') claims = { ...id, ...(await oidc.fetchUserInfo(client, tokens.access_token, id.sub)) };
    } catch (err) {
      this.logger.warn(`OIDC login refused: ${(err as Error).message}`);
      throw new OidcError(OidcErrorCode.ProviderRefused, 'OIDC login failed', `The identity provider's answer was not accepted: ${(err as Error).message}`);
    }
    if (!claims) throw new OidcError(OidcErrorCode.ProviderRefused, 'OIDC login failed', 'The identity provider sent no ID token.');
    const account = await this.accountFor(row, claims);
    if (!account.active || !account.tenant_active)
      throw new OidcError(OidcErrorCode.AccountDisabled, 'Account disabled', 'This account or its tenant is disabled.');
    return this.auth.completeLogin(account.id);
  }

  private async accountFor(row: OidcConfigRow, claims: OidcClaims): Promise<OidcAccountRow> {
    const linked = await this.repo.linkedAccount(row.issuer, claims.sub);
    if (linked) return linked;
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
    const domain = email?.slice(email.lastIndexOf('@') + 1) ?? '';
    if (!email || claims.email_verified !== true || !row.allowed_domains.includes(domain)) {
      throw new OidcError(
        OidcErrorCode.NotLinked,
        'No linked account',
        'No account is linked to this identity, and it carries no verified email of an allowed domain that matches an account.',
      );
    }
    const account = await this.repo.accountByEmail(email);
    if (!account) throw new OidcError(OidcErrorCode.NotLinked, 'No linked account', 'No account has this verified email.');
    await this.repo.link(row.issuer, claims.sub, account.id);
    return account;
  }

  private async client(): Promise<{ row: OidcConfigRow; client: oidc.Configuration }> {
    const row = await this.repo.config();
    if (!row?.enabled) throw new OidcError(OidcErrorCode.NotConfigured, 'OIDC login is not enabled', 'No OIDC provider is configured or it is switched off.');
    const key = `${row.issuer}|${row.client_id}|${row.updated_at.toString()}`;
    if (!this.discovered || this.discovered.key !== key || Date.now() - this.discovered.at > DISCOVERY_TTL_MS) {
      const secret = this.box().open(row.client_secret_enc, 'oidc');
      // http:// issuers only on loopback (a local or test provider); anything else must be https.
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(row.issuer).hostname);
      const config = oidc.discovery(new URL(row.issuer), row.client_id, undefined, oidc.ClientSecretBasic(secret), {
        execute: loopback ? [oidc.allowInsecureRequests] : [],
      });
      config.catch(() => (this.discovered = null));
      this.discovered = { key, at: Date.now(), config };
    }
    try {
      return { row, client: await this.discovered.config };
    } catch (err) {
      throw new OidcError(
        OidcErrorCode.ProviderUnavailable,
        'Identity provider unavailable',
        `The OIDC provider could not be reached: ${(err as Error).message}`,
      );
    }
  }

  private box(): SecretBox {
    if (!this.config.MAILPLANE_SECRET_KEY)
      throw new OidcError(OidcErrorCode.ProviderUnavailable, 'OIDC unavailable', 'MAILPLANE_SECRET_KEY is not set on the gateway.');
    return new SecretBox(this.config.MAILPLANE_SECRET_KEY);
  }

  private platformOnly(p: Principal): void {
    if (!isPlatformAdmin(p) || isRestrictedKey(p)) throw new OidcError(OidcErrorCode.PlatformOnly, 'Forbidden', 'The OIDC configuration is platform-only.');
  }
}

function toDto(r: OidcConfigRow): OidcConfigDto {
  return {
    enabled: r.enabled,
    issuer: r.issuer,
    client_id: r.client_id,
    client_secret_set: r.client_secret_enc !== '',
    redirect_uri: r.redirect_uri,
    allowed_domains: r.allowed_domains,
    updated_at: new Date(r.updated_at).toISOString(),
  };
}
