import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  DomainPurgeRpc,
  MailboxError,
  MailboxErrorCode,
  MailboxSubjects,
  refuseTenantWide,
  requirePlatformCaller,
  TenantPurgeRpc,
  TenantUsageRpc,
  type MailboxTenantUsage,
  type TenantPurgeResult,
} from '#contracts';
import { DomainLookup } from '#database';
import { TenantDataRepository } from './tenant-data.repository.js';

/**
 * Tenant- and domain-wide requests from the owners of tenants (gateway) and domains (domain-service):
 * mailbox and alias counts, and removing them when their tenant or domain goes.
 */
@Controller()
export class TenantDataController {
  constructor(
    private readonly repo: TenantDataRepository,
    private readonly domains: DomainLookup,
  ) {}

  @MessagePattern(MailboxSubjects.TenantUsage)
  usage(@Payload() msg: TenantUsageRpc): Promise<MailboxTenantUsage> {
    requirePlatformCaller(msg.ctx, 'Tenant usage', refuseTenantWide);
    return this.repo.usage(msg.tenant_ids);
  }

  @MessagePattern(MailboxSubjects.TenantPurge)
  async purge(@Payload() msg: TenantPurgeRpc): Promise<TenantPurgeResult> {
    requirePlatformCaller(msg.ctx, 'Deleting a tenant’s data', refuseTenantWide);
    return { deleted: await this.repo.purge(msg.tenant_id) };
  }

  /** As the caller who deletes the domain: a domain it cannot see is not found. */
  @MessagePattern(MailboxSubjects.DomainPurge)
  async purgeDomain(@Payload() msg: DomainPurgeRpc): Promise<TenantPurgeResult> {
    const domain = await this.domains.find(msg.ctx, msg.ref);
    if (!domain) throw new MailboxError(MailboxErrorCode.DomainNotFound, 'Domain not found', `No domain ${msg.ref} is visible to you.`);
    return { deleted: await this.repo.purgeDomain(domain.id) };
  }
}
