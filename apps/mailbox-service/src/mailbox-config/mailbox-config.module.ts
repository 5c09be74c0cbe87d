import { Module } from '@nestjs/common';
import { TenantLimits } from '../limits/tenant-limits.js';
import { MailboxesRepository } from '../mailboxes/mailboxes.repository.js';
import { MailboxConfigController } from './mailbox-config.controller.js';
import { MailboxConfigRepository } from './mailbox-config.repository.js';
import { MailboxConfigService } from './mailbox-config.service.js';

/** Mailbox overrides and effective settings. */
@Module({
  controllers: [MailboxConfigController],
  providers: [MailboxConfigService, MailboxConfigRepository, MailboxesRepository, TenantLimits],
})
export class MailboxConfigModule {}
