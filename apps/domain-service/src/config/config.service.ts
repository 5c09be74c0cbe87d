import { Injectable } from '@nestjs/common';
import { EventPublisher } from '#common';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from '#database';
import {
  requirePlatformCaller,
  capViolations,
  ConfigError,
  ConfigErrorCode,
  DOMAIN_FIELDS,
  effectiveGlobal,
  EventSubjects,
  globalCaps,
  knownFields,
  PLATFORM_LIMIT_DOMAIN_FIELDS,
  resolveDomainSettings,
  resolveLayers,
  TIER_FIELDS,
  validateSettings,
  type CallerContext,
  type ConfigTier,
  type DomainEffectiveDto,
  type FieldError,
  type GlobalSettings,
} from '#contracts';
import { DomainsRepository, type DomainRow } from '../domains/domains.repository.js';
import { ConfigRepository } from './config.repository.js';

type Settings = Record<string, unknown>;

const TIER_LABEL: Record<ConfigTier, string> = { global: 'global configuration', domain_defaults: 'domain defaults', mailbox_defaults: 'mailbox defaults' };

/**
 * Configuration tiers. Singleton tiers are platform-only and replaced whole by a PUT; a domain's
 * overrides are set field by field (null reverts to inheritance). Narrower tiers may not exceed a
 * global cap (message_size_limit); a cap lowered later clamps the effective value.
 */
@Injectable()
export class ConfigService {
  constructor(
    private readonly repo: ConfigRepository,
    private readonly domains: DomainsRepository,
    private readonly events: EventPublisher,
  ) {}

  async getTier(ctx: CallerContext, tier: ConfigTier): Promise<Settings> {
    this.requirePlatform(ctx, tier);
    return this.showTier(tier, await this.repo.getTier(tier));
  }

  async putTier(ctx: CallerContext, tier: ConfigTier, input: unknown): Promise<Settings> {
    this.requirePlatform(ctx, tier);
    const v = validateSettings(TIER_FIELDS[tier], input);
    if (v.errors.length) throw this.invalid(v.errors);
    if (tier !== 'global') this.checkCaps(v.values, effectiveGlobal(await this.repo.getTier('global')));
    else this.checkTlsPair(v.values);
    const stored = await this.repo.putTier(tier, v.values);
    this.events.publish(EventSubjects.ConfigChanged, { tier });
    return this.showTier(tier, stored);
  }

  /** Postfix needs both halves of the STARTTLS pair or neither. */
  private checkTlsPair(values: Settings): void {
    const cert = values.tls_cert_file ?? null;
    const key = values.tls_key_file ?? null;
    if ((cert === null) !== (key === null)) {
      const missing = cert === null ? 'tls_cert_file' : 'tls_key_file';
      throw this.invalid([{ field: missing, message: `${missing} is required when ${missing === 'tls_cert_file' ? 'tls_key_file' : 'tls_cert_file'} is set` }]);
    }
  }

  async getOverrides(ctx: CallerContext, ref: string): Promise<Settings> {
    const domain = await this.domain(ctx, ref);
    return knownFields(DOMAIN_FIELDS, await this.repo.getOverrides(domain.id));
  }

  async putOverrides(ctx: CallerContext, ref: string, input: unknown): Promise<Settings> {
    const domain = await this.domain(ctx, ref);
    const v = validateSettings(DOMAIN_FIELDS, input, { nullMeansInherit: true });
    if (v.errors.length) throw this.invalid(v.errors);
    const limits = PLATFORM_LIMIT_DOMAIN_FIELDS.filter((f) => f in v.values || v.unset.includes(f));
    if (limits.length && ctx.tenant_id !== null) {
      throw new ConfigError(ConfigErrorCode.LimitFieldForbidden, 'Forbidden', `Only a platform admin may change the domain limits ${limits.join(', ')}.`);
    }
    this.checkCaps(v.values, effectiveGlobal(await this.repo.getTier('global')));
    try {
      const stored = await this.repo.mergeOverrides(domain.id, v.values, v.unset);
      this.events.publish(EventSubjects.ConfigChanged, { tier: 'domain_overrides', domain_id: domain.id, domain: domain.name });
      return knownFields(DOMAIN_FIELDS, stored);
    } catch (err) {
      // The domain was deleted between the lookup and the write.
      if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) throw this.notFound(ref);
      throw err;
    }
  }

  async effective(ctx: CallerContext, ref: string): Promise<DomainEffectiveDto> {
    const domain = await this.domain(ctx, ref);
    const { settings, sources } = resolveDomainSettings(await this.repo.domainLayers(domain.id));
    return { domain_id: domain.id, domain: domain.name, settings, sources };
  }

  /** Stored settings over the built-in defaults; narrower tiers clamped to the global caps. */
  private async showTier(tier: ConfigTier, stored: Settings): Promise<Settings> {
    const catalog = TIER_FIELDS[tier];
    const layer = [{ source: tier, settings: knownFields(catalog, stored) }];
    if (tier === 'global') return resolveLayers(catalog, layer).settings;
    const caps = globalCaps(effectiveGlobal(await this.repo.getTier('global')));
    return resolveLayers(catalog, layer, { values: caps, source: 'global' }).settings;
  }

  private checkCaps(values: Settings, global: GlobalSettings): void {
    const over = capViolations(values, global);
    if (over.length) {
      const caps = over.map((f) => `${f.field} = ${global[f.field as keyof GlobalSettings] as number}`).join(', ');
      throw new ConfigError(ConfigErrorCode.ExceedsGlobalCap, 'Exceeds global cap', `A narrower tier may not exceed the global cap ${caps}.`, over);
    }
  }

  private requirePlatform(ctx: CallerContext, tier: ConfigTier): void {
    requirePlatformCaller(ctx, `The ${TIER_LABEL[tier]}`, (detail) => new ConfigError(ConfigErrorCode.PlatformOnly, 'Forbidden', detail));
  }

  private async domain(ctx: CallerContext, ref: string): Promise<DomainRow> {
    const row = await this.domains.findOne(ctx, ref);
    if (!row) throw this.notFound(ref);
    return row;
  }

  private invalid(fields: FieldError[]): ConfigError {
    return new ConfigError(ConfigErrorCode.InvalidSettings, 'Validation failed', 'One or more settings are invalid.', fields);
  }

  private notFound(ref: string): ConfigError {
    return new ConfigError(ConfigErrorCode.DomainNotFound, 'Domain not found', `No domain ${ref} is visible to you.`);
  }
}
