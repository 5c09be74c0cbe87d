import { Module, type DynamicModule } from '@nestjs/common';
import { MAILBOX_SETTINGS, type MailboxSettings } from '../config/mailbox-settings.js';
import { DomainLookup } from '#database';
import { TenantLimits } from '../limits/tenant-limits.js';
import { MailboxesController } from './mailboxes.controller.js';
import { MailboxesRepository } from './mailboxes.repository.js';
import { MailboxesService } from './mailboxes.service.js';

@Module({})
export class MailboxesModule {
  static register(settings: MailboxSettings): DynamicModule {
    return {
      module: MailboxesModule,
      controllers: [MailboxesController],
      providers: [MailboxesService, MailboxesRepository, DomainLookup, TenantLimits, { provide: MAILBOX_SETTINGS, useValue: settings }],
    };
  }
}
