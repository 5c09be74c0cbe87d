import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { createLoggerModule, createValidationPipe, RpcErrorFilter, type AppConfig } from '#common';
import { databaseModule } from '#database';
import { AliasesModule } from './aliases/aliases.module.js';
import { EventsModule } from './events/events.module.js';
import { mailboxSettingsFrom } from './config/mailbox-settings.js';
import { MailboxConfigModule } from './mailbox-config/mailbox-config.module.js';
import { MailboxesModule } from './mailboxes/mailboxes.module.js';
import { ImportExportModule } from './import-export/import-export.module.js';
import { TenantDataModule } from './tenant-data/tenant-data.module.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        createLoggerModule(config, 'mailbox-service'),
        databaseModule(config, 'mailbox-service'),
        EventsModule.register(config),
        MailboxesModule.register(mailboxSettingsFrom(config)),
        ImportExportModule.register(mailboxSettingsFrom(config)),
        AliasesModule,
        MailboxConfigModule,
        TenantDataModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
    };
  }
}
