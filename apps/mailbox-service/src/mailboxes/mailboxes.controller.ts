import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CreateMailboxRpc,
  ListMailboxesRpc,
  MailboxRefRpc,
  MailboxSubjects,
  SetMailboxPasswordRpc,
  UpdateMailboxRpc,
  type MailboxDto,
  type Paginated,
} from '#contracts';
import { MailboxesService } from './mailboxes.service.js';

@Controller()
export class MailboxesController {
  constructor(private readonly mailboxes: MailboxesService) {}

  @MessagePattern(MailboxSubjects.List)
  list(@Payload() msg: ListMailboxesRpc): Promise<Paginated<MailboxDto>> {
    return this.mailboxes.list(msg.ctx, msg.query);
  }

  @MessagePattern(MailboxSubjects.Create)
  create(@Payload() msg: CreateMailboxRpc): Promise<MailboxDto> {
    return this.mailboxes.create(msg.ctx, msg.body);
  }

  @MessagePattern(MailboxSubjects.Get)
  get(@Payload() msg: MailboxRefRpc): Promise<MailboxDto> {
    return this.mailboxes.get(msg.ctx, msg.ref);
  }

  @MessagePattern(MailboxSubjects.Update)
  update(@Payload() msg: UpdateMailboxRpc): Promise<MailboxDto> {
    return this.mailboxes.update(msg.ctx, msg.ref, msg.body);
  }

  @MessagePattern(MailboxSubjects.SetPassword)
  setPassword(@Payload() msg: SetMailboxPasswordRpc): Promise<MailboxDto> {
    return this.mailboxes.setPassword(msg.ctx, msg.ref, msg.body.password);
  }

  @MessagePattern(MailboxSubjects.Delete)
  delete(@Payload() msg: MailboxRefRpc): Promise<{ message: string }> {
    return this.mailboxes.delete(msg.ctx, msg.ref);
  }

  @MessagePattern(MailboxSubjects.Ping)
  ping(): { service: string; pid: number; uptime_s: number } {
    return { service: 'mailbox-service', pid: process.pid, uptime_s: Math.round(process.uptime()) };
  }
}
