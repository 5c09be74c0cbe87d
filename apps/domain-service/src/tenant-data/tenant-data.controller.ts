import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  DomainSubjects,
  refuseTenantWide,
  requirePlatformCaller,
  TenantPurgeRpc,
  TenantUsageRpc,
  type DomainTenantUsage,
  type TenantPurgeResult,
} from '#contracts';
import { TenantDataRepository } from './tenant-data.repository.js';

/** The gateway owns tenants; it asks here for the tenant's domain count and, on deletion, to remove its domains. */
@Controller()
export class TenantDataController {
  constructor(private readonly repo: TenantDataRepository) {}

  @MessagePattern(DomainSubjects.TenantUsage)
  usage(@Payload() msg: TenantUsageRpc): Promise<DomainTenantUsage> {
    requirePlatformCaller(msg.ctx, 'Tenant usage', refuseTenantWide);
    return this.repo.usage(msg.tenant_ids);
  }

  @MessagePattern(DomainSubjects.TenantPurge)
  async purge(@Payload() msg: TenantPurgeRpc): Promise<TenantPurgeResult> {
    requirePlatformCaller(msg.ctx, 'Deleting a tenant’s data', refuseTenantWide);
    return { deleted: await this.repo.purge(msg.tenant_id) };
  }
}
