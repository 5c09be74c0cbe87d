import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { listMeta, orderBy, pageWithTotal, resolvePage, SqlWhere } from '#common';
import { isUuid, type CallerContext, type JobSortField, type ListJobsQueryDto } from '#contracts';
import { JOB_COLUMNS, type JobRow } from '#jobs';

const SORT_COLUMNS: Record<JobSortField, string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  finished_at: 'finished_at',
  type: 'type',
  state: 'state',
};

/** Reads of the jobs table as a caller may see it. */
@Injectable()
export class JobsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async list(ctx: CallerContext, q: ListJobsQueryDto): Promise<{ rows: JobRow[]; meta: ReturnType<typeof listMeta> }> {
    const page = resolvePage(q, { sort: 'created_at', order: 'desc' });
    const where = visibleTo(ctx);
    if (q.type) where.add('type = ?', q.type);
    if (q.state) where.add('state = ?', q.state);
    const { rows, total } = await pageWithTotal<JobRow>(this.ds, { select: JOB_COLUMNS, from: 'FROM jobs', where, orderBy: orderBy(SORT_COLUMNS, page) }, page);
    return { rows, meta: listMeta(page, total) };
  }

  async find(ctx: CallerContext, id: string): Promise<JobRow | undefined> {
    if (!isUuid(id)) return undefined;
    const where = visibleTo(ctx).add('id = ?', id);
    const rows: JobRow[] = await this.ds.query(`SELECT ${JOB_COLUMNS} FROM jobs ${where}`, where.params);
    return rows[0];
  }
}

/**
 * A tenant caller sees its tenant's jobs (system jobs, tenant null, only platform admins). A caller
 * limited to some domains (a restricted key, a domain_admin) could see other domains' rows in job
 * results: only the jobs it started.
 */
function visibleTo(ctx: CallerContext): SqlWhere {
  const where = new SqlWhere();
  if (ctx.tenant_id !== null) where.add('tenant_id = ?', ctx.tenant_id);
  if (ctx.domain_allowlist !== null) where.add('created_by = ?', ctx.actor_id ?? null);
  return where;
}
