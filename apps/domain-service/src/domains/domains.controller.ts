import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateDomainRpc, DomainRefRpc, DomainSubjects, ListDomainsRpc, UpdateDomainRpc, type DomainDto, type Paginated } from '#contracts';
import { DomainsService } from './domains.service.js';

@Controller()
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @MessagePattern(DomainSubjects.List)
  list(@Payload() msg: ListDomainsRpc): Promise<Paginated<DomainDto>> {
    return this.domains.list(msg.ctx, msg.query);
  }

  @MessagePattern(DomainSubjects.Create)
  create(@Payload() msg: CreateDomainRpc): Promise<DomainDto> {
    return this.domains.create(msg.ctx, msg.body);
  }

  @MessagePattern(DomainSubjects.Get)
  get(@Payload() msg: DomainRefRpc): Promise<DomainDto> {
    return this.domains.get(msg.ctx, msg.ref);
  }

  @MessagePattern(DomainSubjects.Update)
  update(@Payload() msg: UpdateDomainRpc): Promise<DomainDto> {
    return this.domains.update(msg.ctx, msg.ref, msg.body);
  }

  @MessagePattern(DomainSubjects.Delete)
  delete(@Payload() msg: DomainRefRpc): Promise<{ message: string }> {
    return this.domains.delete(msg.ctx, msg.ref);
  }

  @MessagePattern(DomainSubjects.Ping)
  ping(): { service: string; pid: number; uptime_s: number } {
    return { service: 'domain-service', pid: process.pid, uptime_s: Math.round(process.uptime()) };
  }
}
