import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MailboxRefRpc, MailboxSubjects, PutMailboxOverridesRpc, type MailboxEffectiveDto } from '#contracts';
import { MailboxConfigService } from './mailbox-config.service.js';

@Controller()
export class MailboxConfigController {
  constructor(private readonly config: MailboxConfigService) {}

  @MessagePattern(MailboxSubjects.GetOverrides)
  getOverrides(@Payload() msg: MailboxRefRpc): Promise<Record<string, unknown>> {
    return this.config.getOverrides(msg.ctx, msg.ref);
  }

  @MessagePattern(MailboxSubjects.PutOverrides)
  putOverrides(@Payload() msg: PutMailboxOverridesRpc): Promise<Record<string, unknown>> {
    return this.config.putOverrides(msg.ctx, msg.ref, msg.settings);
  }

  @MessagePattern(MailboxSubjects.GetEffective)
  effective(@Payload() msg: MailboxRefRpc): Promise<MailboxEffectiveDto> {
    return this.config.effective(msg.ctx, msg.ref);
  }
}
