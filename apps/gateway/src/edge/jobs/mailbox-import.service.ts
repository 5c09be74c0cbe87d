import { Inject, Injectable } from '@nestjs/common';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { NatsRpcClient, SecretBox, type AppConfig } from '#common';
import {
  CommonError,
  CommonErrorCode,
  JobError,
  JobErrorCode,
  MailboxSubjects,
  type CallerContext,
  type ImportRowResultDto,
  type JobDto,
  type MailboxImportPreviewDto,
  type MailboxImportPreviewReply,
  type MailboxImportPreviewResultDto,
  type MailboxImportPreviewRpc,
} from '#contracts';
import { createBodyOf, importRowsOf, JobNames, sealImportRow, type ImportRowInput, type MailboxImportJobData } from '#jobs';
import { APP_CONFIG } from '../../shared/app-config.js';
import { JobsClient } from './jobs.client.js';

const gunzipAsync = promisify(gunzip);
/** The preview's verdict for an address that already has a mailbox: the job reports such rows as `exists`. */
const TAKEN_BY_MAILBOX = /^address: .+ is already used by a mailbox$/;
/** Refused rows named in a 400 when nothing is importable. */
const MAX_FIELDS = 20;

/**
 * Starts a mailbox import: mailbox-service's preview checks every row first; rows it refuses are
 * reported as failed in the job's result, rows whose address already has a mailbox as exists, the rest
 * are created by the worker. Refused with 400 when no row is importable. The rows go to Redis only,
 * never to the jobs table or a log line, and their passwords sealed under MAILPLANE_SECRET_KEY.
 */
@Injectable()
export class MailboxImportService {
  private readonly box: SecretBox | null;

  constructor(
    private readonly rpc: NatsRpcClient,
    private readonly jobs: JobsClient,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = config.MAILPLANE_SECRET_KEY ? new SecretBox(config.MAILPLANE_SECRET_KEY) : null;
  }

  async start(ctx: CallerContext, body: MailboxImportPreviewDto): Promise<JobDto> {
    const box = this.box;
    if (!box) {
      throw new JobError(
        JobErrorCode.SecretKeyMissing,
        'Mailbox import unavailable',
        'MAILPLANE_SECRET_KEY is not set on the gateway: import passwords cannot be sealed for the queue.',
      );
    }
    const preview = await this.preview(ctx, body);
    const raw = importRowsOf(body);
    if (raw.length !== preview.rows.length) {
      throw new CommonError(CommonErrorCode.Internal, 'Internal server error', 'The import preview and the rows disagree.');
    }
    const rows: ImportRowInput[] = [];
    const refused: ImportRowResultDto[] = [];
    preview.rows.forEach((v, i) => {
      const reasons = v.reasons ?? [];
      if (v.ok || (reasons.length > 0 && reasons.every((r) => TAKEN_BY_MAILBOX.test(r)))) {
        rows.push(sealImportRow(box, v.row, v.address, createBodyOf(raw[i])));
      } else {
        refused.push({ row: v.row, ...(v.address ? { address: v.address } : {}), status: 'failed', error: reasons.join('; ') });
      }
    });
    if (!rows.length) {
      const fields = refused.slice(0, MAX_FIELDS).map((r) => ({ field: `rows[${r.row - 1}]`, message: r.error ?? 'refused' }));
      throw new JobError(
        JobErrorCode.NothingToImport,
        'Validation failed',
        preview.rows.length
          ? 'No row of the import can be created; nothing was queued (POST /mailboxes/import/preview shows every row).'
          : 'The import has no rows.',
        fields.length ? fields : [{ field: body.csv !== undefined ? 'csv' : 'rows', message: 'at least one row is required' }],
      );
    }
    const data: MailboxImportJobData = { ctx, rows, refused, done: [] };
    return this.jobs.enqueue(ctx, JobNames.MailboxesImport, data as unknown as Record<string, unknown>);
  }

  private async preview(ctx: CallerContext, body: MailboxImportPreviewDto): Promise<MailboxImportPreviewResultDto> {
    const msg: MailboxImportPreviewRpc = { ctx, body };
    this.jobs.assertFits(msg, body.csv !== undefined ? 'csv' : 'rows');
    const reply = await this.rpc.send<MailboxImportPreviewReply>(MailboxSubjects.ImportPreview, msg, ctx.request_id);
    return JSON.parse((await gunzipAsync(Buffer.from(reply.gzip_base64, 'base64'))).toString('utf8')) as MailboxImportPreviewResultDto;
  }
}
