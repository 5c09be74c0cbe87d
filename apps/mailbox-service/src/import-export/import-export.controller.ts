import { Controller } from '@nestjs/common';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MailboxExportPageRpc, MailboxImportPreviewRpc, MailboxSubjects, type MailboxExportPage, type MailboxImportPreviewReply } from '#contracts';
import { ExportRepository } from './export.repository.js';
import { ImportPreviewService } from './import-preview.service.js';

const gzipAsync = promisify(gzip);

@Controller()
export class ImportExportController {
  constructor(
    private readonly preview: ImportPreviewService,
    private readonly exports: ExportRepository,
  ) {}

  @MessagePattern(MailboxSubjects.ImportPreview)
  async importPreview(@Payload() msg: MailboxImportPreviewRpc): Promise<MailboxImportPreviewReply> {
    const result = await this.preview.preview(msg.ctx, msg.body);
    return { gzip_base64: (await gzipAsync(JSON.stringify(result))).toString('base64') };
  }

  @MessagePattern(MailboxSubjects.ExportPage)
  exportPage(@Payload() msg: MailboxExportPageRpc): Promise<MailboxExportPage> {
    return this.exports.page(msg.ctx, msg.query, msg.after, msg.limit);
  }
}
