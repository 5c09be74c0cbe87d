import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateDkimKeyRpc,
  DkimKeyRefRpc,
  DkimSubjects,
  ListDkimKeysRpc,
  refuseTenantWide,
  requirePlatformCaller,
  RotateDkimKeyRpc,
  TenantPurgeRpc,
  type DkimKeyDto,
  type Paginated,
  type TenantPurgeResult,
} from '#contracts';
import { DkimKeysRepository } from './dkim-keys.repository.js';
import { DkimService } from './dkim.service.js';

@Controller()
export class DkimController {
  constructor(
    private readonly dkim: DkimService,
    private readonly keys: DkimKeysRepository,
  ) {}

  @MessagePattern(DkimSubjects.List)
  list(@Payload() msg: ListDkimKeysRpc): Promise<Paginated<DkimKeyDto>> {
    return this.dkim.list(msg.ctx, msg.query);
  }

  @MessagePattern(DkimSubjects.Create)
  create(@Payload() msg: CreateDkimKeyRpc): Promise<DkimKeyDto> {
    return this.dkim.create(msg.ctx, msg.body);
  }

  @MessagePattern(DkimSubjects.Get)
  get(@Payload() msg: DkimKeyRefRpc): Promise<DkimKeyDto> {
    return this.dkim.get(msg.ctx, msg.domain, msg.selector);
  }

  @MessagePattern(DkimSubjects.Rotate)
  rotate(@Payload() msg: RotateDkimKeyRpc): Promise<DkimKeyDto> {
    return this.dkim.rotate(msg.ctx, msg.domain, msg.body);
  }

  /** For the gateway's /health. */
  @MessagePattern(DkimSubjects.Ping)
  ping(): { service: string } {
    return { service: 'dkim-tls-service' };
  }

  @MessagePattern(DkimSubjects.Delete)
  delete(@Payload() msg: DkimKeyRefRpc): Promise<{ message: string }> {
    return this.dkim.delete(msg.ctx, msg.domain, msg.selector);
  }

  /** Tenant deletion (the gateway owns tenants): the tenant's keys go before its domains. */
  @MessagePattern(DkimSubjects.TenantPurge)
  async purgeTenant(@Payload() msg: TenantPurgeRpc): Promise<TenantPurgeResult> {
    requirePlatformCaller(msg.ctx, 'Deleting a tenant’s data', refuseTenantWide);
    return { deleted: { dkim_keys: await this.keys.deleteOfTenant(msg.tenant_id) } };
  }
}
