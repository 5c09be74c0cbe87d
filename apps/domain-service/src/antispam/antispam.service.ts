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
import { AntispamRepository } from './antispam.repository.js';

/** Anti-spam settings (the DNSBL/greylisting subset of the global tier) and the white/black lists; platform-only. */
@Injectable()
export class AntispamService {
  constructor(
    private readonly repo: AntispamRepository,
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

  list(ctx: CallerContext, list: AntispamList, q: ListAntispamEntriesQueryDto): Promise<Paginated<AntispamEntryDto>> {
    this.requirePlatform(ctx);
    return this.repo.list(list, q);
  }

  async create(ctx: CallerContext, list: AntispamList, dto: CreateAntispamEntryDto): Promise<AntispamEntryDto> {
    this.requirePlatform(ctx);
    const canonical = canonicalEntryValue(dto.entry_type, dto.value);
    if (!canonical.ok) {
      throw new AntispamError(AntispamErrorCode.InvalidValue, 'Validation failed', `The value is not a valid ${dto.entry_type} entry.`, [
        { field: 'value', message: canonical.reason },
      ]);
    }
    try {
      const entry = await this.repo.insert(list, dto.entry_type, canonical.value, dto.comment ?? '');
      // Rspamd's list maps are rendered by reconcile.
      this.events.publish(EventSubjects.ConfigChanged, { tier: 'global', area: 'antispam', list });
      return entry;
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
        throw new AntispamError(AntispamErrorCode.Duplicate, 'Entry exists', `The ${list} already holds the ${dto.entry_type} entry ${canonical.value}.`);
      }
      throw err;
    }
  }

  async delete(ctx: CallerContext, list: AntispamList, id: string): Promise<{ message: string }> {
    this.requirePlatform(ctx);
    const row = await this.repo.delete(list, id);
    if (!row) throw new AntispamError(AntispamErrorCode.NotFound, 'Entry not found', `No ${list} entry ${id}.`);
    this.events.publish(EventSubjects.ConfigChanged, { tier: 'global', area: 'antispam', list });
    return { message: `${list} entry deleted` };
  }

  private subset(storedGlobal: Record<string, unknown>): AntispamSettings {
    const global = effectiveGlobal(storedGlobal);
    return Object.fromEntries(ANTISPAM_FIELD_NAMES.map((k) => [k, global[k]])) as AntispamSettings;
  }

  private requirePlatform(ctx: CallerContext): void {
    requirePlatformCaller(ctx, 'Anti-spam configuration', (detail) => new AntispamError(AntispamErrorCode.PlatformOnly, 'Forbidden', detail));
  }
}
