import { Injectable } from '@nestjs/common';
import { EventPublisher } from '#common';
import { PG_FOREIGN_KEY_VIOLATION, pgErrorCode } from '#database';
import {
  capViolations,
  effectiveGlobal,
  EventSubjects,
  knownFields,
  MAILBOX_FIELDS,
  MailboxError,
  MailboxErrorCode,
  resolveDomainSettings,
  resolveMailboxSettings,
  validateSettings,
  type CallerContext,
  type FieldError,
  type GlobalSettings,
  type MailboxDto,
  type MailboxEffectiveDto,
} from '#contracts';
import type { EntityManager } from 'typeorm';
import { dbAliasGraph, findAliasLoop, MAX_ALIAS_DEPTH } from '../aliases/alias-graph.js';
import { TenantLimits } from '../limits/tenant-limits.js';
import { MailboxesRepository } from '../mailboxes/mailboxes.repository.js';
import { MailboxConfigRepository, type MailboxLayers } from './mailbox-config.repository.js';

type Settings = Record<string, unknown>;
/** Mailbox fields Rspamd applies at SMTP time (from a rendered map); every other field acts live. */
const SMTP_TIME_FIELDS = ['spam_threshold', 'spam_action'];

/**
 * A mailbox's overrides (set field by field, null reverts to inheritance) and effective settings.
 * Overrides may not exceed a global cap (message_size_limit) nor, for quota_bytes, the domain's
 * effective quota_total_bytes; a quota change must also fit the tenant's and domain's storage limits.
 */
@Injectable()
export class MailboxConfigService {
  constructor(
    private readonly events: EventPublisher,
    private readonly repo: MailboxConfigRepository,
    private readonly mailboxes: MailboxesRepository,
    private readonly limits: TenantLimits,
  ) {}

  async getOverrides(ctx: CallerContext, ref: string): Promise<Settings> {
    const m = await this.mailbox(ctx, ref);
    return knownFields(MAILBOX_FIELDS, await this.repo.getOverrides(m.id));
  }

  async putOverrides(ctx: CallerContext, ref: string, input: unknown): Promise<Settings> {
    const m = await this.mailbox(ctx, ref);
    const v = validateSettings(MAILBOX_FIELDS, input, { nullMeansInherit: true });
    if (v.errors.length) throw new MailboxError(MailboxErrorCode.InvalidSettings, 'Validation failed', 'One or more settings are invalid.', v.errors);
    const stored = await this.storeOverrides(m, ref, v);
    // Rspamd's per-recipient map (spam reject at SMTP time) is rendered by reconcile; the rest is read live.
    if (SMTP_TIME_FIELDS.some((f) => f in v.values || v.unset.includes(f))) {
      this.events.publish(EventSubjects.MailboxConfigChanged, { mailbox_id: m.id, domain_id: m.domain_id, tenant_id: m.tenant_id });
    }
    return stored;
  }

  private async storeOverrides(m: MailboxDto, ref: string, v: ReturnType<typeof validateSettings>): Promise<Settings> {
    const layers = await this.layers(m, ref);
    this.checkCaps(v.values, effectiveGlobal(layers.global));
    this.checkDomainQuota(v.values, layers);
    const forwards = Array.isArray(v.values.forward_to) ? (v.values.forward_to as string[]) : [];
    try {
      if (!('quota_bytes' in v.values) && !v.unset.includes('quota_bytes')) {
        if (!forwards.length) return knownFields(MAILBOX_FIELDS, await this.repo.mergeOverrides(m.id, v.values, v.unset));
        return knownFields(
          MAILBOX_FIELDS,
          await this.repo.withAliasWriteLock(async (tx) => {
            await this.assertNoForwardLoop(tx, m.address, forwards);
            return this.repo.mergeOverrides(m.id, v.values, v.unset, tx);
          }),
        );
      }
      // A quota change takes the tenant-limits lock; the loop check runs just before it.
      if (forwards.length) await this.repo.withAliasWriteLock((tx) => this.assertNoForwardLoop(tx, m.address, forwards));
      const stored = await this.limits.withLock(m.tenant_id, m.domain_id, async (tx, limits) => {
        const override = await this.limits.overrideQuota(tx, m.id);
        const claim = {
          id: m.id,
          quota: TenantLimits.effectiveQuota(v.values.quota_bytes, m.quota_bytes, limits.defaultQuota),
          previous: TenantLimits.effectiveQuota(override, m.quota_bytes, limits.defaultQuota),
        };
        const breach = await this.limits.mailboxBreach(tx, m.tenant_id, m.domain_id, limits, claim);
        if (breach) throw new MailboxError(MailboxErrorCode.QuotaExceeded, 'Quota exceeded', `${breach.detail}; nothing was changed.`);
        return this.repo.mergeOverrides(m.id, v.values, v.unset, tx);
      });
      if (!stored) throw this.notFound(ref);
      return knownFields(MAILBOX_FIELDS, stored);
    } catch (err) {
      // The mailbox was deleted between the lookup and the write.
      if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) throw this.notFound(ref);
      throw err;
    }
  }

  async effective(ctx: CallerContext, ref: string): Promise<MailboxEffectiveDto> {
    const m = await this.mailbox(ctx, ref);
    const layers = await this.layers(m, ref);
    const { settings, sources } = resolveMailboxSettings(layers);
    const domain = resolveDomainSettings({ global: layers.global, domainDefaults: layers.domainDefaults, overrides: layers.domainOverrides });
    return {
      mailbox_id: m.id,
      address: m.address,
      domain_id: m.domain_id,
      domain: m.domain,
      settings,
      sources,
      domain_active: layers.domainActive,
      domain_settings: domain.settings,
      domain_sources: domain.sources,
    };
  }

  /** Forwards are alias-graph edges: mail must not come back to the mailbox (directly or through aliases and other forwards). */
  private async assertNoForwardLoop(tx: EntityManager, address: string, forwards: string[]): Promise<void> {
    const verdict = await findAliasLoop(address, forwards, dbAliasGraph(tx));
    if (verdict.kind === 'ok') return;
    const message =
      verdict.kind === 'self'
        ? `forward_to names the mailbox itself (${verdict.destination}); use forward_keep_copy to keep a copy`
        : verdict.kind === 'cycle'
          ? `mail would loop: ${address} → ${verdict.path[1]} → … → ${address}`
          : `forwarding chain is deeper than ${MAX_ALIAS_DEPTH} hops`;
    throw new MailboxError(MailboxErrorCode.InvalidSettings, 'Validation failed', 'Forwarding would make mail loop; nothing was changed.', [
      { field: 'forward_to', message },
    ]);
  }

  private checkCaps(values: Settings, global: GlobalSettings): void {
    const over = capViolations(values, global);
    if (over.length) {
      const caps = over.map((f) => `${f.field} = ${global[f.field as keyof GlobalSettings] as number}`).join(', ');
      throw new MailboxError(MailboxErrorCode.ExceedsCap, 'Exceeds global cap', `A narrower tier may not exceed the global cap ${caps}.`, over);
    }
  }

  /** A quota_bytes override may not exceed the domain's effective quota_total_bytes when that is set (0 = unlimited exceeds any). */
  private checkDomainQuota(values: Settings, layers: MailboxLayers): void {
    const q = values.quota_bytes;
    if (typeof q !== 'number') return;
    const total = resolveDomainSettings({ global: layers.global, domainDefaults: layers.domainDefaults, overrides: layers.domainOverrides }).settings
      .quota_total_bytes;
    if (total > 0 && (q === 0 || q > total)) {
      const field: FieldError = {
        field: 'quota_bytes',
        message: `quota_bytes (${q === 0 ? '0 = unlimited' : q}) exceeds the domain cap quota_total_bytes = ${total}`,
      };
      throw new MailboxError(MailboxErrorCode.ExceedsCap, 'Exceeds domain cap', `A mailbox quota may not exceed the domain’s quota_total_bytes = ${total}.`, [
        field,
      ]);
    }
  }

  private async layers(m: MailboxDto, ref: string): Promise<MailboxLayers> {
    const layers = await this.repo.layers(m.id);
    if (!layers) throw this.notFound(ref);
    return layers;
  }

  private async mailbox(ctx: CallerContext, ref: string): Promise<MailboxDto> {
    const m = await this.mailboxes.findOne(ctx, ref);
    if (!m) throw this.notFound(ref);
    return m;
  }

  private notFound(ref: string): MailboxError {
    return new MailboxError(MailboxErrorCode.NotFound, 'Mailbox not found', `No mailbox ${ref} is visible to you.`);
  }
}
