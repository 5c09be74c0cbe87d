import { Module, type DynamicModule } from '@nestjs/common';
import { MAILBOX_SETTINGS, type MailboxSettings } from '../config/mailbox-settings.js';
import { ExportRepository } from './export.repository.js';
import { ImportExportController } from './import-export.controller.js';
import { ImportPreviewService } from './import-preview.service.js';

/** Mailbox import preview (dry run) and export pages. */
@Module({})
export class ImportExportModule {
  static register(settings: MailboxSettings): DynamicModule {
    return {
      module: ImportExportModule,
      controllers: [ImportExportController],
      providers: [ImportPreviewService, ExportRepository, { provide: MAILBOX_SETTINGS, useValue: settings }],
    };
  }
}
