import { Inject, Injectable } from '@nestjs/common';
import { NatsRpcClient, type AppConfig } from '#common';
import {
  ApiErrorCode,
  AppError,
  JobSubjects,
  type CallerContext,
  type EnqueueJobRpc,
  type JobDto,
  type JobRefRpc,
  type ListJobsQueryDto,
  type ListJobsRpc,
  type Paginated,
} from '#contracts';
import type { JobName } from '#jobs';
import { APP_CONFIG } from '../../shared/app-config.js';

const ENVELOPE_MARGIN = 512;

/** Jobs are the workers' (the only writer of the jobs table): the gateway starts, reads and cancels them over NATS. */
@Injectable()
export class JobsClient {
  constructor(
    private readonly rpc: NatsRpcClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A node job (reconcile) goes to this gateway's mail node (MAIL_NODE_ID). */
  enqueue(ctx: CallerContext, type: JobName, data: Record<string, unknown>): Promise<JobDto> {
    const msg: EnqueueJobRpc = { ctx, type, data, node_id: this.config.MAIL_NODE_ID };
    this.assertFits(msg, 'rows');
    return this.rpc.send(JobSubjects.Enqueue, msg, ctx.request_id);
  }

  list(ctx: CallerContext, query: ListJobsQueryDto): Promise<Paginated<JobDto>> {
    const msg: ListJobsRpc = { ctx, query };
    return this.rpc.send(JobSubjects.List, msg, ctx.request_id);
  }

  get(ctx: CallerContext, id: string): Promise<JobDto> {
    const msg: JobRefRpc = { ctx, id };
    return this.rpc.send(JobSubjects.Get, msg, ctx.request_id);
  }

  cancel(ctx: CallerContext, id: string): Promise<JobDto> {
    const msg: JobRefRpc = { ctx, id };
    return this.rpc.send(JobSubjects.Cancel, msg, ctx.request_id);
  }

  /** A message must fit the bus (NATS max_payload): a too large one is the caller's 400, not a 503. */
  assertFits(msg: unknown, field: string): void {
    const maxPayload = this.rpc.connection.info?.max_payload ?? 1_048_576;
    if (Buffer.byteLength(JSON.stringify(msg)) + ENVELOPE_MARGIN > maxPayload) {
      throw new AppError(ApiErrorCode.VALIDATION_FAILED, 'Validation failed', 'The import is too large for one request; split it into smaller files.', [
        { field, message: `the request must stay below ${maxPayload - ENVELOPE_MARGIN} bytes` },
      ]);
    }
  }
}
