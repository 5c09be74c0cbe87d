import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { NatsRpcClient, RpcReplyError, SecretBox, type AppConfig } from '#common';
import {
  ApiErrorCode,
  MailboxSubjects,
  type CallerContext,
  type CreateMailboxRpc,
  type ImportRowResultDto,
  type MailboxDto,
  type MailboxRefRpc,
} from '#contracts';
import { JobQueues, JobStatusStore, openImportRow, type ImportRowInput, type MailboxImportJobData, type MailboxImportResult } from '#jobs';
import { PermanentJobError } from '../jobs/permanent-job.error.js';
import { InjectWorkerConfig } from '../worker.tokens.js';

function reasonOf(err: RpcReplyError): string {
  const fields = err.payload.fields?.map((f) => `${f.field}: ${f.message}`).join('; ');
  return fields ? `${err.payload.detail ?? err.payload.error} (${fields})` : (err.payload.detail ?? err.payload.error);
}

/**
 * Creates the rows of a mailbox import through mailbox-service, exactly as POST /mailboxes would.
 * Each finished row is recorded beside the job in Redis, so a retried attempt skips it; a row whose
 * address already has a mailbox is `exists` (also what a row created just before a crash becomes).
 */
@Injectable()
export class MailboxImportProcessor {
  private readonly box: SecretBox | null;

  constructor(
    private readonly rpc: NatsRpcClient,
    private readonly store: JobStatusStore,
    private readonly queues: JobQueues,
    @InjectWorkerConfig() config: AppConfig,
  ) {
    this.box = config.MAILPLANE_SECRET_KEY ? new SecretBox(config.MAILPLANE_SECRET_KEY) : null;
  }

  async process(job: Job<MailboxImportJobData>): Promise<MailboxImportResult> {
    const data = job.data;
    if (!data?.ctx || !Array.isArray(data.rows) || !Array.isArray(data.refused) || !Array.isArray(data.done)) {
      throw new PermanentJobError('The import job carries no valid rows (ctx, rows, refused, done).');
    }
    // Every retry would fail alike: the passwords stay sealed without the key.
    if (!this.box) throw new PermanentJobError('MAILPLANE_SECRET_KEY is not set: the import passwords cannot be opened.');
    const box = this.box;
    const id = job.id!;
    const recorded = await this.queues.doneEntries<ImportRowResultDto>(id);
    const done = new Map([...data.done, ...recorded].map((r) => [r.row, r]));
    const total = data.rows.length + data.refused.length;
    let lastProgress = 0;
    for (const input of data.rows) {
      if (done.has(input.row)) continue;
      let result: ImportRowResultDto;
      try {
        result = await this.importRow(box, data.ctx, input);
      } catch (err) {
        // Should this be the last attempt, the rows already done are still reported.
        throw Object.assign(err instanceof Error ? err : new Error(String(err)), { partialResult: this.summary(data, done) });
      }
      done.set(input.row, result);
      await this.queues.recordDone(id, result);
      // The row is cheap, the status write is not: at most ~4 progress updates a second.
      if (Date.now() - lastProgress > 250) {
        lastProgress = Date.now();
        await this.store.progress(id, ((done.size + data.refused.length) / Math.max(total, 1)) * 99);
      }
    }
    await this.queues.expireDone(id);
    return this.summary(data, done);
  }

  private summary(data: MailboxImportJobData, done: Map<number, ImportRowResultDto>): MailboxImportResult {
    const rows = [...data.refused, ...done.values()].sort((a, b) => a.row - b.row);
    const count = (s: ImportRowResultDto['status']) => rows.filter((r) => r.status === s).length;
    const pending = data.rows.length - done.size;
    return {
      rows,
      totals: {
        total: rows.length,
        created: count('created'),
        exists: count('exists'),
        failed: count('failed'),
        ...(pending > 0 ? { not_attempted: pending } : {}),
      },
    };
  }

  /** 4xx answers are the row's verdict; a missing or slow service throws (BullMQ retries the job). */
  private async importRow(box: SecretBox, ctx: CallerContext, input: ImportRowInput): Promise<ImportRowResultDto> {
    const base = { row: input.row, ...(input.address ? { address: input.address } : {}) };
    let body;
    try {
      body = openImportRow(box, input);
    } catch {
      // Sealed under another key (MAILPLANE_SECRET_KEY differs between gateway and worker) or tampered with.
      throw new PermanentJobError(`Row ${input.row}: its password cannot be opened with this worker's MAILPLANE_SECRET_KEY.`);
    }
    try {
      const msg: CreateMailboxRpc = { ctx, body };
      const m = await this.rpc.send<MailboxDto>(MailboxSubjects.Create, msg, ctx.request_id);
      return { ...base, address: m.address, status: 'created', mailbox_id: m.id };
    } catch (err) {
      if (!(err instanceof RpcReplyError) || err.payload.status >= 500) throw err;
      if (err.payload.code === ApiErrorCode.CONFLICT && input.address) {
        const existing = await this.find(ctx, input.address);
        if (existing) return { ...base, address: existing.address, status: 'exists', mailbox_id: existing.id };
      }
      return { ...base, status: 'failed', error: reasonOf(err) };
    }
  }

  private async find(ctx: CallerContext, address: string): Promise<MailboxDto | null> {
    try {
      const msg: MailboxRefRpc = { ctx, ref: address };
      return await this.rpc.send<MailboxDto>(MailboxSubjects.Get, msg, ctx.request_id);
    } catch (err) {
      if (err instanceof RpcReplyError && err.payload.status < 500) return null;
      throw err;
    }
  }
}
