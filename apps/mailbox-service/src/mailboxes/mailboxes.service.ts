import { Inject, Injectable } from '@nestjs/common';
import { DomainLookup, type DomainRef, PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode } from '#database';
import {
  isUuid,
  MailboxError,
  MailboxErrorCode,
  normalizeDomainName,
  normalizeLocalAddress,
  splitAddress,
  type CallerContext,
  type CreateMailboxDto,
  type FieldError,
  type ListMailboxesQueryDto,
  type MailboxDto,
  type Paginated,
  type UpdateMailboxDto,
} from '#contracts';
import { hashMailPassword } from '#mailstack';
import { MAILBOX_SETTINGS, type MailboxSettings } from '../config/mailbox-settings.js';
import { TenantLimits } from '../limits/tenant-limits.js';
import { MailboxesRepository } from './mailboxes.repository.js';
import { passwordPolicyProblems } from './password-policy.js';

@Injectable()
export class MailboxesService {
  constructor(
    private readonly repo: MailboxesRepository,
    private readonly domains: DomainLookup,
    private readonly limits: TenantLimits,
    @Inject(MAILBOX_SETTINGS) private readonly settings: MailboxSettings,
  ) {}

  list(ctx: CallerContext, q: ListMailboxesQueryDto): Promise<Paginated<MailboxDto>> {
    return this.repo.list(ctx, q);
  }

  async create(ctx: CallerContext, dto: CreateMailboxDto): Promise<MailboxDto> {
    const { domain, localInput } = await this.resolveDomain(ctx, dto);
    const fields: FieldError[] = [];
    const addr = normalizeLocalAddress(localInput, domain.name);
    if (!addr.ok) fields.push({ field: 'username', message: addr.problem });
    fields.push(...passwordPolicyProblems(dto.password, addr.ok ? addr.local : localInput, this.settings));
    if (fields.length || !addr.ok) throw this.invalid(fields);
    const passwordHash = await hashMailPassword(dto.password, this.settings.passwordScheme);
    try {
      return await this.repo.insert(
        {
          domain,
          localPart: addr.local,
          address: addr.address,
          name: dto.name ?? '',
          passwordHash,
          quotaBytes: dto.quota_bytes ?? null,
          active: dto.active ?? true,
        },
        async (tx) => {
          // Tenant and domain rows locked: parallel creates against one free slot create exactly one mailbox.
          const limits = await this.limits.lock(tx, domain.tenant_id, domain.id);
          if (!limits) throw new MailboxError(MailboxErrorCode.DomainNotFound, 'Domain not found', `No domain ${domain.name} is visible to you.`);
          const quota = TenantLimits.effectiveQuota(undefined, dto.quota_bytes ?? null, limits.defaultQuota);
          const breach = await this.limits.mailboxBreach(tx, domain.tenant_id, domain.id, limits, { quota });
          if (breach) throw this.quotaExceeded(breach.detail);
        },
      );
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
        const owner = (await this.repo.addressOwner(addr.address)) ?? 'mailbox or alias';
        throw new MailboxError(MailboxErrorCode.AddressTaken, 'Address in use', `The address ${addr.address} is already used by a ${owner}.`);
      }
      // The domain was deleted between the lookup and the insert.
      if (pgErrorCode(err) === PG_FOREIGN_KEY_VIOLATION) {
        throw new MailboxError(MailboxErrorCode.DomainNotFound, 'Domain not found', `No domain ${domain.name} is visible to you.`);
      }
      throw err;
    }
  }

  async get(ctx: CallerContext, ref: string): Promise<MailboxDto> {
    const m = await this.repo.findOne(ctx, ref);
    if (!m) throw this.notFound(ref);
    return m;
  }

  async update(ctx: CallerContext, ref: string, dto: UpdateMailboxDto): Promise<MailboxDto> {
    if (dto.name === undefined && dto.quota_bytes === undefined && dto.active === undefined) {
      throw new MailboxError(MailboxErrorCode.EmptyUpdate, 'Validation failed', 'Send at least one of: name, quota_bytes, active.', [
        { field: '(body)', message: 'at least one of name, quota_bytes, active is required' },
      ]);
    }
    const changes = { name: dto.name, quota_bytes: dto.quota_bytes, active: dto.active };
    const m = dto.quota_bytes === undefined ? await this.repo.update(ctx, ref, changes) : await this.updateWithQuota(ctx, ref, changes);
    if (!m) throw this.notFound(ref);
    return m;
  }

  /** A quota change is checked against the storage limits under the tenant and domain locks, in the transaction that writes it. */
  private async updateWithQuota(
    ctx: CallerContext,
    ref: string,
    changes: { name?: string; quota_bytes?: number | null; active?: boolean },
  ): Promise<MailboxDto | undefined> {
    const current = await this.repo.findOne(ctx, ref);
    if (!current) return undefined;
    return this.limits.withLock(current.tenant_id, current.domain_id, async (tx, limits) => {
      // Re-read under the locks: the quota read before them may have changed since.
      const locked = await tx.query(`SELECT quota_bytes FROM mailboxes WHERE id = $1 FOR UPDATE`, [current.id]);
      if (!locked[0]) return undefined;
      current.quota_bytes = locked[0].quota_bytes === null ? null : Number(locked[0].quota_bytes);
      const override = await this.limits.overrideQuota(tx, current.id);
      const claim = {
        id: current.id,
        quota: TenantLimits.effectiveQuota(override, changes.quota_bytes ?? null, limits.defaultQuota),
        previous: TenantLimits.effectiveQuota(override, current.quota_bytes, limits.defaultQuota),
      };
      const breach = await this.limits.mailboxBreach(tx, current.tenant_id, current.domain_id, limits, claim);
      if (breach) throw this.quotaExceeded(breach.detail);
      return this.repo.update(ctx, current.id, changes, tx);
    });
  }

  async setPassword(ctx: CallerContext, ref: string, password: string): Promise<MailboxDto> {
    const m = await this.get(ctx, ref);
    const fields = passwordPolicyProblems(password, m.local_part, this.settings);
    if (fields.length) throw this.invalid(fields);
    const hash = await hashMailPassword(password, this.settings.passwordScheme);
    const updated = await this.repo.update(ctx, m.id, { password_hash: hash });
    if (!updated) throw this.notFound(ref);
    return updated;
  }

  async delete(ctx: CallerContext, ref: string): Promise<{ message: string }> {
    if (!(await this.repo.delete(ctx, ref))) throw this.notFound(ref);
    return { message: 'mailbox deleted' };
  }

  /**
   * The domain comes from `domain_id`, `domain` or the domain part of `username`; whichever are
   * given must agree, and the caller must see the domain (else 404, as for any invisible object).
   */
  private async resolveDomain(ctx: CallerContext, dto: CreateMailboxDto): Promise<{ domain: DomainRef; localInput: string }> {
    const parts = splitAddress(dto.username);
    const localInput = parts ? parts.local : dto.username;
    const fromUsername = parts ? normalizeDomainName(parts.domain) : undefined;
    if (fromUsername === null) throw this.invalid([{ field: 'username', message: 'the domain part of username is not a valid domain name' }]);
    const ref = dto.domain_id ?? dto.domain ?? fromUsername;
    if (!ref) {
      throw this.invalid([{ field: 'domain_id', message: 'give domain_id or domain, or a full address as username' }]);
    }
    const domain = await this.domains.find(ctx, ref);
    if (!domain) throw new MailboxError(MailboxErrorCode.DomainNotFound, 'Domain not found', `No domain ${ref} is visible to you.`);
    const fields: FieldError[] = [];
    if (dto.domain_id && dto.domain !== undefined && !this.sameDomain(dto.domain, domain)) {
      fields.push({ field: 'domain', message: `domain does not name the domain ${domain.name} given as domain_id` });
    }
    if (fromUsername && fromUsername !== domain.name) {
      fields.push({ field: 'username', message: `the address’s domain must be the mailbox’s domain ${domain.name}` });
    }
    if (fields.length) throw this.invalid(fields);
    return { domain, localInput };
  }

  private sameDomain(ref: string, d: DomainRef): boolean {
    return isUuid(ref) ? ref.toLowerCase() === d.id : normalizeDomainName(ref) === d.name;
  }

  private invalid(fields: FieldError[]): MailboxError {
    const code = fields.every((f) => f.field === 'password') ? MailboxErrorCode.WeakPassword : MailboxErrorCode.InvalidAddress;
    return new MailboxError(code, 'Validation failed', 'One or more fields are invalid.', fields);
  }

  private quotaExceeded(detail: string): MailboxError {
    return new MailboxError(MailboxErrorCode.QuotaExceeded, 'Quota exceeded', `${detail}; nothing was changed.`);
  }

  private notFound(ref: string): MailboxError {
    return new MailboxError(MailboxErrorCode.NotFound, 'Mailbox not found', `No mailbox ${ref} is visible to you.`);
  }
}
