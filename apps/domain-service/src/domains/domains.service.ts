import { Injectable } from '@nestjs/common';
import { EventPublisher } from '#common';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '#database';
import {
  canonicalOutgoingIp,
  checkDomainName,
  DomainError,
  EventSubjects,
  DomainErrorCode,
  type CallerContext,
  type CreateDomainDto,
  type DomainDto,
  type ListDomainsQueryDto,
  type Paginated,
  type UpdateDomainDto,
} from '#contracts';
import { DomainsRepository, toDomainDto } from './domains.repository.js';

@Injectable()
export class DomainsService {
  constructor(
    private readonly repo: DomainsRepository,
    private readonly events: EventPublisher,
  ) {}

  list(ctx: CallerContext, q: ListDomainsQueryDto): Promise<Paginated<DomainDto>> {
    return this.repo.list(ctx, q);
  }

  async create(ctx: CallerContext, dto: CreateDomainDto): Promise<DomainDto> {
    const checked = checkDomainName(dto.name);
    if (!checked.ok) {
      throw new DomainError(DomainErrorCode.InvalidName, 'Validation failed', 'The domain name is not valid.', [
        { field: 'name', message: `name ${checked.problem}` },
      ]);
    }
    const name = checked.name;
    if (ctx.tenant_id && dto.tenant_id && dto.tenant_id !== ctx.tenant_id) {
      throw new DomainError(DomainErrorCode.TenantForbidden, 'Forbidden', 'Only platform admins may create domains for another tenant.');
    }
    if (ctx.domain_allowlist && !ctx.domain_allowlist.includes(name)) {
      throw new DomainError(
        DomainErrorCode.NotInAllowlist,
        'Forbidden',
        `This API key is limited to ${ctx.domain_allowlist.join(', ')}; ${name} is not among them.`,
      );
    }
    const tenantId = dto.tenant_id ?? ctx.tenant_id ?? ctx.home_tenant_id;
    const tenantNotFound = () =>
      new DomainError(DomainErrorCode.TenantNotFound, 'Validation failed', 'The tenant does not exist.', [
        { field: 'tenant_id', message: 'tenant_id must name an existing tenant' },
      ]);
    if (!tenantId) throw tenantNotFound();
    try {
      const result = await this.repo.insert(tenantId, name, dto.active ?? true, canonicalOutgoingIp(dto.outgoing_ip ?? 'auto')!);
      if (!result) throw tenantNotFound();
      if ('maxDomains' in result) {
        throw new DomainError(DomainErrorCode.QuotaExceeded, 'Quota exceeded', `tenant limit max_domains (${result.maxDomains}) reached; nothing was changed.`);
      }
      this.published(EventSubjects.DomainCreated, result.row);
      return toDomainDto(result.row);
    } catch (err) {
      if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
        throw new DomainError(DomainErrorCode.NameTaken, 'Domain exists', `The domain ${name} already exists.`);
      }
      throw err;
    }
  }

  async get(ctx: CallerContext, ref: string): Promise<DomainDto> {
    const row = await this.repo.findOne(ctx, ref);
    if (!row) throw this.notFound(ref);
    return toDomainDto(row);
  }

  async update(ctx: CallerContext, ref: string, dto: UpdateDomainDto): Promise<DomainDto> {
    if (dto.active === undefined && dto.outgoing_ip === undefined) {
      throw new DomainError(DomainErrorCode.EmptyUpdate, 'Validation failed', 'Send at least one of: active, outgoing_ip.', [
        { field: '(body)', message: 'at least one of active, outgoing_ip is required' },
      ]);
    }
    const changes = { active: dto.active, outgoing_ip: dto.outgoing_ip === undefined ? undefined : canonicalOutgoingIp(dto.outgoing_ip)! };
    const row = await this.repo.update(ctx, ref, changes);
    if (!row) throw this.notFound(ref);
    this.published(EventSubjects.DomainUpdated, row);
    return toDomainDto(row);
  }

  /**
   * 409 while mailboxes or aliases exist. Their owner, mailbox-service, removes them first when the
   * caller asked for a cascade (the gateway sends domain-purge before this), so here a domain that is
   * still not empty (a mailbox created in between) is refused, never half-deleted.
   */
  async delete(ctx: CallerContext, ref: string): Promise<{ message: string }> {
    const result = await this.repo.delete(ctx, ref);
    if (!result) throw this.notFound(ref);
    if ('blocked' in result) {
      const { name, mailboxes, aliases } = result.blocked;
      throw new DomainError(
        DomainErrorCode.NotEmpty,
        'Domain not empty',
        `The domain ${name} still has ${mailboxes} mailbox(es) and ${aliases} alias(es); delete them first or pass ?cascade=true.`,
      );
    }
    this.published(EventSubjects.DomainDeleted, result.row);
    return { message: 'domain deleted' };
  }

  /** After the commit: ids and the name only. */
  private published(subject: string, row: { id: string; tenant_id: string; name: string }): void {
    this.events.publish(subject, { domain_id: row.id, tenant_id: row.tenant_id, domain: row.name });
  }

  private notFound(ref: string): DomainError {
    return new DomainError(DomainErrorCode.NotFound, 'Domain not found', `No domain ${ref} is visible to you.`);
  }
}
