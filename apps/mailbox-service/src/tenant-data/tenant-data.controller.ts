import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MailboxSubjects, requirePlatformCaller, TenantPurgeRpc, TenantUsageRpc, type MailboxTenantUsage, type TenantPurgeResult } from '#contracts';
import { TenantDataRepository } from './tenant-data.repository.js';

/** The gateway owns tenants; it asks here for the tenant's mailbox and alias counts and, on deletion, to remove them. */
@Controller()
export class TenantDataController {
  constructor(private readonly repo: TenantDataRepository) {}

  @MessagePattern(MailboxSubjects.TenantUsage)
  usage(@Payload() msg: TenantUsageRpc): Promise<MailboxTenantUsage> {
    requirePlatformCaller(msg.ctx, 'Tenant usage');
    return this.repo.usage(msg.tenant_ids);
  }

  @MessagePattern(MailboxSubjects.TenantPurge)
  async purge(@Payload() msg: TenantPurgeRpc): Promise<TenantPurgeResult> {
    requirePlatformCaller(msg.ctx, 'Deleting a tenant’s data');
    return { deleted: await this.repo.purge(msg.tenant_id) };
  }
}
