import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { listMeta, orderBy, pageWithTotal, resolvePage, SqlWhere } from '#common';
import {
  CommonError, CommonErrorCode, isUuid, JobError, JobErrorCode, type JobDto, type JobSortField, type ListJobsQueryDto, type Paginated,
} from '#contracts';
import { JOB_COLUMNS, JobQueues, JobStatusStore, RedisUnavailableError, type JobOwner, type JobRow } from '#jobs';
import { isPlatformAdmin, type Principal } from '../../shared/principal.js';
import { toJobDto } from './job.mapper.js';

const SORT_COLUMNS: Record<JobSortField, string> = {
  created_at: 'created_at', updated_at: 'updated_at', finished_at: 'finished_at', type: 'type', state: 'state',
};

/** Who owns a job a caller starts. */
export function ownerOf(p: Principal): JobOwner {
  return { tenantId: p.tenant_id, createdBy: p.api_key_id ?? p.account_id };
}

export function redisDown(err: unknown): never {
  if (err instanceof RedisUnavailableError) {
    throw new CommonError(CommonErrorCode.DependencyUnavailable, 'Job queue unavailable', 'Redis, which holds the job queues, is not answering; try again shortly.');
  }
  throw err;
}

/**
 * Job status for the API, read from the jobs table. A tenant caller sees its tenant's jobs only
 * (system jobs, tenant null, are for platform admins); another tenant's job is a 404.
 */
@Injectable()
export class JobsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly store: JobStatusStore,
    private readonly queues: JobQueues,
  ) {}

  async list(p: Principal, q: ListJobsQueryDto): Promise<Paginated<JobDto>> {
    const page = resolvePage(q, { sort: 'created_at', order: 'desc' });
    const where = this.scope(p);
    if (q.type) where.add('type = ?', q.type);
    if (q.state) where.add('state = ?', q.state);
    const { rows, total } = await pageWithTotal<JobRow>(
      this.ds,
      { select: JOB_COLUMNS, from: 'FROM jobs', where, orderBy: orderBy(SORT_COLUMNS, page) },
      page,
    );
    return { data: rows.map(toJobDto), meta: listMeta(page, total) };
  }

  async get(p: Principal, id: string): Promise<JobDto> {
    return toJobDto(await this.find(p, id));
  }

  /** Queued → cancelled (its BullMQ job removed, it never runs); running or ended → 409. */
  async cancel(p: Principal, id: string): Promise<JobDto> {
    const job = await this.find(p, id);
    if (job.state !== 'queued') throw this.notCancellable(job);
    const cancelled = await this.queues.cancel(job.id, job.type).catch(redisDown);
    if (!cancelled) throw this.notCancellable((await this.store.get(job.id)) ?? job);
    return toJobDto(cancelled);
  }

  private async find(p: Principal, id: string): Promise<JobRow> {
    if (!isUuid(id)) throw this.notFound(id);
    const where = this.scope(p).add('id = ?', id);
    const rows: JobRow[] = await this.ds.query(`SELECT ${JOB_COLUMNS} FROM jobs ${where}`, where.params);
    if (!rows[0]) throw this.notFound(id);
    return rows[0];
  }

  private scope(p: Principal): SqlWhere {
    const where = new SqlWhere();
    if (!isPlatformAdmin(p)) where.add('tenant_id = ?', p.tenant_id);
    // A caller limited to some domains (a restricted key, a domain_admin) could see other domains'
    // rows in job results: only the jobs it started.
    if (p.domain_allowlist !== null) where.add('created_by = ?', p.kind === 'api_key' ? p.api_key_id : p.account_id);
    return where;
  }

  private notFound(id: string): JobError {
    return new JobError(JobErrorCode.NotFound, 'Job not found', `No job ${id} is visible to you.`);
  }

  private notCancellable(job: JobRow): JobError {
    return new JobError(JobErrorCode.NotCancellable, 'Job not cancellable', `The job ${job.id} is ${job.state}; only a queued job can be cancelled.`);
  }
}
