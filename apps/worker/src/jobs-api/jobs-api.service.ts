import { Injectable } from '@nestjs/common';
import {
  CommonError,
  CommonErrorCode,
  JobError,
  JobErrorCode,
  requirePlatformCaller,
  type CallerContext,
  type JobDto,
  type ListJobsQueryDto,
  type Paginated,
} from '#contracts';
import { JobNames, JobQueues, JobStatusStore, RedisUnavailableError, toJobDto, type JobName, type JobOwner, type JobRow } from '#jobs';
import { JobsRepository } from './jobs.repository.js';

/**
 * The jobs API behind the gateway: the worker is the only writer of the jobs table, so starting and
 * cancelling jobs happen here, and reading them too (one place that knows who may see a job).
 */
@Injectable()
export class JobsApiService {
  constructor(
    private readonly repo: JobsRepository,
    private readonly store: JobStatusStore,
    private readonly queues: JobQueues,
  ) {}

  async enqueue(ctx: CallerContext, type: JobName, data: object, nodeId?: string): Promise<JobDto> {
    // A reconcile is a system job (platform only, no tenant); an import belongs to the caller's tenant.
    if (type === JobNames.Reconcile) requirePlatformCaller(ctx, 'A reconcile', (detail) => new JobError(JobErrorCode.PlatformOnly, 'Forbidden', detail));
    const owner: JobOwner = { tenantId: type === JobNames.Reconcile ? null : ctx.home_tenant_id, createdBy: ctx.actor_id ?? null };
    return toJobDto(await this.queues.enqueue(type, data, owner, nodeId).catch(redisDown));
  }

  async list(ctx: CallerContext, q: ListJobsQueryDto): Promise<Paginated<JobDto>> {
    const { rows, meta } = await this.repo.list(ctx, q);
    return { data: rows.map(toJobDto), meta };
  }

  async get(ctx: CallerContext, id: string): Promise<JobDto> {
    return toJobDto(await this.find(ctx, id));
  }

  /** Queued → cancelled (its BullMQ job removed, it never runs); running or ended → 409. */
  async cancel(ctx: CallerContext, id: string): Promise<JobDto> {
    const job = await this.find(ctx, id);
    if (job.state !== 'queued') throw notCancellable(job);
    const cancelled = await this.queues.cancel(job.id, job.type).catch(redisDown);
    if (!cancelled) throw notCancellable((await this.store.get(job.id)) ?? job);
    return toJobDto(cancelled);
  }

  private async find(ctx: CallerContext, id: string): Promise<JobRow> {
    const row = await this.repo.find(ctx, id);
    if (!row) throw new JobError(JobErrorCode.NotFound, 'Job not found', `No job ${id} is visible to you.`);
    return row;
  }
}

function notCancellable(job: JobRow): JobError {
  return new JobError(JobErrorCode.NotCancellable, 'Job not cancellable', `The job ${job.id} is ${job.state}; only a queued job can be cancelled.`);
}

function redisDown(err: unknown): never {
  if (err instanceof RedisUnavailableError) {
    throw new CommonError(
      CommonErrorCode.DependencyUnavailable,
      'Job queue unavailable',
      'Redis, which holds the job queues, is not answering; try again shortly.',
    );
  }
  throw err;
}
