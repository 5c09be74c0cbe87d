import { Body, Controller, Get, HttpCode, Logger, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { NatsRpcClient } from '#common';
import {
  ApiErrorCode,
  AppError,
  csvLine,
  ExportMailboxesQueryDto,
  MAILBOX_CSV_COLUMNS,
  MAILBOX_EXPORT_MAX_PAGE,
  MailboxImportPreviewDto,
  MailboxImportPreviewResultDto,
  MailboxSubjects,
  type CallerContext,
  type MailboxExportPage,
  type MailboxExportPageRpc,
  type MailboxImportPreviewReply,
  type MailboxImportPreviewRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';

const gunzipAsync = promisify(gunzip);
/** Bytes the RPC framing adds around the message (pattern, id). */
const ENVELOPE_MARGIN = 512;

/** Rows asked of mailbox-service per NATS request while streaming an export. */
export const EXPORT_PAGE_SIZE = MAILBOX_EXPORT_MAX_PAGE;

/**
 * Mailbox import preview and CSV export. Static paths (`/mailboxes/import/preview`,
 * `/mailboxes/export`): the router prefers them to `/mailboxes/:mailbox`.
 */
@ApiTags('mailboxes')
@ApiErrors(503, 504)
@Controller('mailboxes')
export class MailboxesImportExportController {
  private readonly log = new Logger(MailboxesImportExportController.name);

  constructor(private readonly rpc: NatsRpcClient) {}

  @Post('import/preview')
  @HttpCode(200)
  @Authenticated({ scope: 'mailboxes:write' })
  @ApiOperation({
    summary: 'Check a mailbox import without writing anything',
    description:
      'Give `csv` (header `address,name,password,quota_bytes,active`, or `username,domain` instead of `address`; exactly what the export writes) ' +
      'or `rows` (at most 10000). Each row gets a verdict: every rule a create applies (address, domain visible to you, address free, ' +
      'password policy, quota, active) plus duplicates within the file. Nothing is written.',
  })
  @ApiOkResponse({ type: MailboxImportPreviewResultDto })
  @ApiErrors(400, 415)
  async importPreview(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: MailboxImportPreviewDto,
  ): Promise<MailboxImportPreviewResultDto> {
    const msg: MailboxImportPreviewRpc = { ctx: callerContext(p, rid), body };
    // A body just under the HTTP limit plus the RPC envelope can exceed NATS's max_payload; say so
    // plainly instead of the bus error the publish would raise.
    const maxPayload = this.rpc.connection.info?.max_payload ?? 1_048_576;
    if (Buffer.byteLength(JSON.stringify(msg)) + ENVELOPE_MARGIN > maxPayload) {
      throw new AppError(ApiErrorCode.VALIDATION_FAILED, 'Validation failed', 'The import is too large for one request; split it into smaller files.', [
        { field: body.csv !== undefined ? 'csv' : 'rows', message: `the request must stay below ${maxPayload - ENVELOPE_MARGIN} bytes` },
      ]);
    }
    const reply = await this.rpc.send<MailboxImportPreviewReply>(MailboxSubjects.ImportPreview, msg, rid);
    return JSON.parse((await gunzipAsync(Buffer.from(reply.gzip_base64, 'base64'))).toString('utf8')) as MailboxImportPreviewResultDto;
  }

  @Get('export')
  @Authenticated({ scope: 'mailboxes:read' })
  @ApiOperation({
    summary: 'Export mailboxes as CSV',
    description:
      'Streams `text/csv` (header `address,name,password,quota_bytes,active`, password always blank) for the mailboxes you can see, in address order; ' +
      "filter by domain (UUID or name) and active. Values starting with = + - @ are prefixed with `'` (spreadsheet formula guard).",
  })
  @ApiOkResponse({
    description: 'The CSV file (Content-Disposition: attachment; filename="mailboxes.csv")',
    content: {
      'text/csv': {
        schema: { type: 'string' },
        example: 'address,name,password,quota_bytes,active\r\nalice@example.com,Alice Example,,5368709120,true\r\n',
      },
    },
  })
  @ApiErrors(400)
  async export(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ExportMailboxesQueryDto, @Res() res: FastifyReply): Promise<void> {
    const ctx = callerContext(p, rid);
    // The first page before any byte is sent: its errors still get the JSON envelope and status.
    const first = await this.page(ctx, query, undefined, rid);
    const stream = Readable.from(this.lines(ctx, query, first, rid));
    stream.on('error', (err) => this.log.warn(`export ${rid} aborted: ${err.message}`));
    await res
      .status(200)
      .header('Content-Type', 'text/csv; charset=utf-8')
      .header('Content-Disposition', 'attachment; filename="mailboxes.csv"')
      .header('Cache-Control', 'no-store')
      .send(stream);
  }

  private page(ctx: CallerContext, query: ExportMailboxesQueryDto, after: string | undefined, rid: string): Promise<MailboxExportPage> {
    const msg: MailboxExportPageRpc = { ctx, query: { ...query }, after, limit: EXPORT_PAGE_SIZE };
    return this.rpc.send(MailboxSubjects.ExportPage, msg, rid);
  }

  /** Header, then one chunk per page; the next page is asked for only when the client has read this one. */
  private async *lines(ctx: CallerContext, query: ExportMailboxesQueryDto, first: MailboxExportPage, rid: string): AsyncGenerator<string> {
    yield csvLine(MAILBOX_CSV_COLUMNS);
    let page = first;
    for (;;) {
      yield page.rows.map((r) => csvLine([r.address, r.name, '', r.quota_bytes, r.active])).join('');
      if (page.next === null) return;
      page = await this.page(ctx, query, page.next, rid);
    }
  }
}
