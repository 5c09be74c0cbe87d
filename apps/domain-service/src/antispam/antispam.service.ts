import { Injectable } from '@nestjs/common';
import { EventPublisher } from '#common';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '#database';
import {
  requirePlatformCaller,
  ANTISPAM_FIELD_NAMES,
  ANTISPAM_FIELDS,
  AntispamError,
  AntispamErrorCode,
  canonicalEntryValue,
  effectiveGlobal,
  EventSubjects,
  validateSettings,
  type AntispamEntryDto,
  type AntispamList,
  type AntispamSettings,
  type CallerContext,
  type CreateAntispamEntryDto,
  type ListAntispamEntriesQueryDto,
  type Paginated,
} from '#contracts';
import { ConfigRepository } from '../config/config.repository.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { AntispamRepository } from './antispam.repository.js';

/** Anti-spam settings (the DNSBL/greylisting subset of the global tier) and the white/black lists; platform-only. */
@Injectable()
export class AntispamService {
  constructor(
    private readonly repo: AntispamRepository,
    private readonly domains: DomainsRepository,
    private readonly config: ConfigRepository,
    private readonly events: EventPublisher,
  ) {}

  async getConfig(ctx: CallerContext): Promise<AntispamSettings> {
    this.requirePlatform(ctx);
    return this.subset(await this.config.getTier('global'));
  }

  /** Replaces the subset: fields left out go back to their built-in defaults; the rest of the global tier is untouched. */
  async putConfig(ctx: CallerContext, input: unknown): Promise<AntispamSettings> {
    this.requirePlatform(ctx);
    const v = validateSettings(ANTISPAM_FIELDS, input);
    if (v.errors.length) throw new AntispamError(AntispamErrorCode.InvalidSettings, 'Validation failed', 'One or more settings are invalid.', v.errors);
    const stored = await this.config.replaceGlobalSubset(ANTISPAM_FIELD_NAMES, v.values);
    this.events.publish(EventSubjects.ConfigChanged, { tier: 'global', area: 'antispam' });
    return this.subset(stored);
  }

  async list(ctx: CallerContext, list: AntispamList, q: ListAntispamEntriesQueryDto, domain?: string): Promise<Paginated<AntispamEntryDto>> {
    return this.repo.list(list, await this.scope(ctx, domain), q);
  }

  async create(ctx: CallerContext, list: AntispamList, dto: CreateAntispamEntryDto, domain?: string): Promise<AntispamEntryDto> {
    const domainId = await this.scope(ctx, domain);
    const canonical = canonicalEntryValue(dto.entry_type, dto.value);
    if (!canonical.ok) {
      throw new AntispamError(AntispamErrorCode.InvalidValue, 'Validation failed', `The value is not a valid ${dto.entry_type} entry.`, [
        { field: 'value', message: canonical.reason },
      ]);
    }
    try {
      const entry = await this.repo.insert(list, domainId, dto.entry_type, canonical.value, dto.comment ?? '');
      // Rspamd's list maps are rendered by reconcile.
      this.events.publish(EventSubjects.ConfigChanged, { tier: 'global', area: 'antispam', list });
      return entry;
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
        const where = domain === undefined ? `The ${list}` : `The ${list} of ${domain}`;
        throw new AntispamError(AntispamErrorCode.Duplicate, 'Entry exists', `${where} already holds the ${dto.entry_type} entry ${canonical.value}.`);
      }
      throw err;
    }
  }

  async delete(ctx: CallerContext, list: AntispamList, id: string, domain?: string): Promise<{ message: string }> {
    const row = await this.repo.delete(list, await this.scope(ctx, domain), id);
    if (!row) throw new AntispamError(AntispamErrorCode.NotFound, 'Entry not found', `No ${list} entry ${id}.`);
    this.events.publish(EventSubjects.ConfigChanged, { tier: 'global', area: 'antispam', list });
    return { message: `${list} entry deleted` };
  }

  /**
   * Which list a call is about: the platform's (platform admins only) or one domain's own, which
   * anyone who can see the domain may manage; another tenant's domain is a 404.
   */
  private async scope(ctx: CallerContext, domain: string | undefined): Promise<string | null> {
    if (domain === undefined) {
      this.requirePlatform(ctx);
      return null;
    }
    const row = await this.domains.findOne(ctx, domain);
    if (!row) throw new AntispamError(AntispamErrorCode.NotFound, 'Domain not found', `No domain ${domain}.`);
    return row.id;
  }

  private subset(storedGlobal: Record<string, unknown>): AntispamSettings {
    const global = effectiveGlobal(storedGlobal);
    return Object.fromEntries(ANTISPAM_FIELD_NAMES.map((k) => [k, global[k]])) as AntispamSettings;
  }

  private requirePlatform(ctx: CallerContext): void {
    requirePlatformCaller(ctx, 'Anti-spam configuration', (detail) => new AntispamError(AntispamErrorCode.PlatformOnly, 'Forbidden', detail));
  }
}
