import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateDkimKeyRpc, DkimKeyRefRpc, DkimSubjects, ListDkimKeysRpc, RotateDkimKeyRpc, type DkimKeyDto, type Paginated } from '#contracts';
import { DkimService } from './dkim.service.js';

@Controller()
export class DkimController {
  constructor(private readonly dkim: DkimService) {}

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
}
