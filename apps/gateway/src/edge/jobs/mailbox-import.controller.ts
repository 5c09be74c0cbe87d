import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MailboxImportPreviewDto, type JobAcceptedDto } from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { accepted, ApiJobAccepted } from './job-accepted.js';
import { MailboxImportService } from './mailbox-import.service.js';

@ApiTags('mailboxes')
@Controller('mailboxes')
export class MailboxImportController {
  constructor(private readonly imports: MailboxImportService) {}

  @Post('import')
  @HttpCode(202)
  @Authenticated({ scope: 'mailboxes:write' })
  @ApiOperation({
    summary: 'Import mailboxes (asynchronous)',
    description:
      'Same body as `POST /mailboxes/import/preview` (`csv` or `rows`). The rows are checked first exactly as the preview checks them; ' +
      'an unreadable body is 400, and so is an import where no row can be created (fields name the refused rows). Otherwise a ' +
      '`mailboxes.import` job is queued. Its result lists every row: `created` (with mailbox_id), `exists` (the address already has a ' +
      'mailbox; not an error), or `failed` (with the reason, including rows the check refused), plus totals. ' +
      'Passwords are never stored in the job or returned.',
  })
  @ApiJobAccepted('The import job, queued')
  @ApiErrors(400, 415, 503, 504)
  async import(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: MailboxImportPreviewDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<JobAcceptedDto> {
    return accepted(res, await this.imports.start(callerContext(p, rid), body));
  }
}
