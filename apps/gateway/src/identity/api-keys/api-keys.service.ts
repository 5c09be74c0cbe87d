import { Injectable } from '@nestjs/common';
import { generateApiKey } from '#common';
import { isUuid, type Paginated } from '#contracts';
import { CredentialsService } from '../auth/credentials.service.js';
import { RateLimitPolicy } from '../rate-limits/rate-limit.policy.js';
import { parseIpAllowlist } from '../auth/ip-allowlist.js';
import { isPlatformAdmin, isRestrictedKey, type Principal } from '../../shared/principal.js';
import { assertWithinCaller, excessOver, normalizeDomains, type KeyLimits } from './api-key-limits.js';
import { ApiKeyError, ApiKeyErrorCode } from './api-keys.errors.js';
import { ApiKeysRepository, type ApiKeyRow, type KeyVisibility } from './api-keys.repository.js';
import type { ApiKeyDto, CreatedApiKeyDto, ListApiKeysQueryDto } from './dto/api-key.dto.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import type { UpdateApiKeyDto } from './dto/update-api-key.dto.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toDto(r: ApiKeyRow): ApiKeyDto {
  return {
    id: r.id,
    key_id: r.key_id,
    prefix: `mp_${r.key_id}_…`,
    name: r.name,
    account_id: r.account_id,
    tenant_id: r.tenant_id,
    scopes: r.scopes,
    domain_allowlist: r.domain_allowlist,
    ip_allowlist: r.ip_allowlist,
    expires_at: iso(r.expires_at),
    last_used_at: iso(r.last_used_at),
    last_used_ip: r.last_used_ip,
    revoked_at: iso(r.revoked_at),
    created_by_key_id: r.created_by_key_id,
    rate_limit_per_min: r.rate_limit_per_min,
    created_at: new Date(r.created_at).toISOString(),
  };
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly credentials: CredentialsService,
    private readonly rateLimits: RateLimitPolicy,
  ) {}

  async create(p: Principal, dto: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    const scopes = [...new Set(dto.scopes)];
    // Without lists of its own, a key minted by a restricted caller (an allow-listed key, a domain_admin)
    // inherits the caller's lists; an explicit null asks for everything and is refused below.
    const allowlist = dto.domain_allowlist !== undefined ? normalizeDomains(dto.domain_allowlist) : (p.domain_allowlist ?? null);
    const ips = dto.ip_allowlist != null ? this.ipAllowlist(dto.ip_allowlist) : (p.api_key_ip_allowlist ?? null);
    assertWithinCaller(p, { scopes, domain_allowlist: allowlist, ip_allowlist: ips });
    const expiresAt = this.expiryFor(p, dto.expires_at ?? null);
    await this.checkRateLimit(p, dto.rate_limit_per_min ?? null);
    const key = generateApiKey();
    const row = await this.repo.insert({
      key_id: key.keyId,
      secret_sha256: key.secretSha256,
      name: dto.name,
      account_id: p.account_id,
      tenant_id: p.tenant_id,
      scopes,
      domain_allowlist: allowlist,
      ip_allowlist: ips,
      expires_at: expiresAt,
      created_by_key_id: p.api_key_id,
      rate_limit_per_min: dto.rate_limit_per_min ?? null,
    });
    return { ...toDto(row), key: key.fullKey };
  }

  /**
   * Changes the fields sent, under the create rules (never beyond the caller). The key must also stay
   * within the key that minted it, and keys it minted must stay within it: narrowing a parent below
   * a live child is refused with 409 naming the child (revoke or narrow the child first) rather than
   * silently cutting rights of keys somebody else may depend on.
   */
  async update(p: Principal, id: string, dto: UpdateApiKeyDto): Promise<ApiKeyDto> {
    const has = (f: keyof UpdateApiKeyDto) => Object.prototype.hasOwnProperty.call(dto, f) && dto[f] !== undefined;
    const fields = (['name', 'scopes', 'domain_allowlist', 'expires_at', 'ip_allowlist', 'rate_limit_per_min'] as const).filter(
      (f) => has(f) || (f in dto && dto[f] === null),
    );
    if (fields.length === 0) {
      throw new ApiKeyError(
        ApiKeyErrorCode.NothingToChange,
        'Validation failed',
        'Send at least one of name, scopes, domain_allowlist, expires_at, ip_allowlist, rate_limit_per_min.',
        [{ field: 'body', message: 'nothing to change' }],
      );
    }
    const ips = fields.includes('ip_allowlist') && dto.ip_allowlist !== null ? this.ipAllowlist(dto.ip_allowlist!) : null;
    const key = await this.find(p, id);
    if (key.revoked_at) throw this.revokedConflict(key);
    const next: KeyLimits = {
      scopes: dto.scopes ? [...new Set(dto.scopes)] : key.scopes,
      domain_allowlist: fields.includes('domain_allowlist') ? normalizeDomains(dto.domain_allowlist) : key.domain_allowlist,
      ip_allowlist: fields.includes('ip_allowlist') ? ips : key.ip_allowlist,
      expires_at: fields.includes('expires_at') ? this.expiryFor(p, dto.expires_at ?? null) : key.expires_at,
    };
    assertWithinCaller(p, next);
    if (!fields.includes('expires_at') && p.api_key_expires_at && (!next.expires_at || next.expires_at > p.api_key_expires_at)) {
      // A key may only change keys that do not outlive it (it could not have minted them either).
      throw new ApiKeyError(
        ApiKeyErrorCode.ExpiryBeyondCaller,
        'Expiry beyond your key',
        `Your key expires at ${p.api_key_expires_at.toISOString()}; set expires_at no later than that.`,
      );
    }
    await this.assertLineage(key, next);
    const rateLimit = fields.includes('rate_limit_per_min') ? (dto.rate_limit_per_min ?? null) : key.rate_limit_per_min;
    if (fields.includes('rate_limit_per_min')) await this.checkRateLimit(p, rateLimit);
    const row = await this.repo.update(key.id, { name: dto.name ?? key.name, ...next, rate_limit_per_min: rateLimit });
    if (!row) throw this.revokedConflict(key);
    this.credentials.forgetKey(key.key_id);
    return toDto(row);
  }

  /**
   * New key id and secret, same row (id, settings, lineage); the old secret stops working at once here.
   * The answer carries the new secret, so only the key's owner or a platform admin may rotate: anyone
   * else who manages the key (a tenant admin for a peer's key) could act as its owner, outside their own
   * IP allowlist. They can still revoke it.
   */
  async rotate(p: Principal, id: string): Promise<CreatedApiKeyDto> {
    const key = await this.find(p, id);
    if (key.account_id !== p.account_id && !isPlatformAdmin(p)) {
      throw new ApiKeyError(
        ApiKeyErrorCode.RotateNotOwner,
        'Forbidden',
        'Only the key’s owner or a platform admin can rotate it (the answer holds the new secret); revoke it instead.',
      );
    }
    if (key.revoked_at) throw this.revokedConflict(key);
    const fresh = generateApiKey();
    const row = await this.repo.rotate(key.id, fresh.keyId, fresh.secretSha256);
    if (!row) throw this.revokedConflict(key);
    this.credentials.forgetKey(key.key_id);
    return { ...toDto(row), key: fresh.fullKey };
  }

  async list(p: Principal, q: ListApiKeysQueryDto): Promise<Paginated<ApiKeyDto>> {
    const { rows, meta } = await this.repo.list(this.visibility(p), q);
    return { data: rows.map(toDto), meta };
  }

  async get(p: Principal, id: string): Promise<ApiKeyDto> {
    return toDto(await this.find(p, id));
  }

  /** Revokes the key and every key minted from it, directly or further down. */
  async revoke(p: Principal, id: string): Promise<void> {
    const key = await this.find(p, id);
    if (key.revoked_at) throw this.revokedConflict(key);
    for (const keyId of await this.repo.revokeTree(key.id)) this.credentials.forgetKey(keyId);
  }

  /**
   * A key's own limit may not exceed its creator's (else a tenant admin could step around the
   * tenant's limit); a platform admin sets any value, through a login or an unrestricted key
   * (the first admin key is one: a script using it can raise its own budget).
   */
  private async checkRateLimit(p: Principal, wanted: number | null): Promise<void> {
    if (wanted === null || (isPlatformAdmin(p) && !isRestrictedKey(p))) return;
    const own = await this.rateLimits.limitOf(p);
    if (wanted > own) {
      throw new ApiKeyError(
        ApiKeyErrorCode.RateLimitBeyondCaller,
        'Rate limit beyond your rights',
        `Your credential is limited to ${own} requests per minute; a key it creates cannot have more.`,
      );
    }
  }

  /** A key may not mint a key that outlives it; without a date the new key inherits its expiry. */
  private expiryFor(p: Principal, requested: string | null): Date | null {
    const wanted = requested ? new Date(requested) : null;
    if (wanted && wanted.getTime() <= Date.now()) {
      throw new ApiKeyError(ApiKeyErrorCode.ExpiryInPast, 'Validation failed', 'expires_at must be in the future.', [
        { field: 'expires_at', message: 'expires_at must be in the future' },
      ]);
    }
    const cap = p.api_key_expires_at;
    if (!cap) return wanted;
    if (!wanted) return cap;
    if (wanted > cap) {
      throw new ApiKeyError(
        ApiKeyErrorCode.ExpiryBeyondCaller,
        'Expiry beyond your key',
        `Your key expires at ${cap.toISOString()}; a key it creates cannot expire later.`,
      );
    }
    return wanted;
  }

  private async find(p: Principal, id: string): Promise<ApiKeyRow> {
    if (!isUuid(id)) throw this.notFound(id);
    const row = await this.repo.find(this.visibility(p), id);
    if (!row) throw this.notFound(id);
    return row;
  }

  /**
   * Which keys a caller may see and revoke: a restricted key only itself and what it minted;
   * a platform admin every key; anyone else their tenant's keys, never a platform admin's.
   */
  private visibility(p: Principal): KeyVisibility {
    if (isRestrictedKey(p)) return { kind: 'minted-by', keyId: p.api_key_id! };
    // Keys of the tenant's other accounts reach domains outside the delegation: only its own.
    if (p.role === 'domain_admin') return { kind: 'owned-by', accountId: p.account_id };
    return isPlatformAdmin(p) ? { kind: 'all' } : { kind: 'tenant', tenantId: p.tenant_id };
  }

  /** Its minting key (if live) must cover the new limits, and it must cover each live key it minted. */
  private async assertLineage(key: ApiKeyRow, next: KeyLimits): Promise<void> {
    const related = await this.repo.lineage(key.id, key.created_by_key_id);
    for (const r of related) {
      const excess = r.rel === 'parent' ? excessOver(r, next) : excessOver(next, r);
      if (!excess.length) continue;
      const detail =
        r.rel === 'parent'
          ? `The key that minted this one (${r.id}) does not allow ${excess.join('; ')}.`
          : `The key ${r.id} ("${r.name}") minted by this one has ${excess.join('; ')}; narrow or revoke it first.`;
      throw new ApiKeyError(ApiKeyErrorCode.LineageConflict, 'API key lineage conflict', detail);
    }
  }

  private ipAllowlist(values: string[]): string[] {
    const r = parseIpAllowlist(values, 'ip_allowlist');
    if (!r.ok) throw new ApiKeyError(ApiKeyErrorCode.InvalidIpAllowlist, 'Validation failed', r.fields.map((f) => f.message).join('; '), r.fields);
    return r.value;
  }

  private revokedConflict(key: ApiKeyRow): ApiKeyError {
    return new ApiKeyError(ApiKeyErrorCode.AlreadyRevoked, 'API key already revoked', `The key ${key.id} was revoked at ${iso(key.revoked_at)}.`);
  }

  private notFound(id: string): ApiKeyError {
    return new ApiKeyError(ApiKeyErrorCode.NotFound, 'API key not found', `No API key ${id} is visible to you.`);
  }
}
