import { Controller, Delete, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { JobDto, JobListDto, ListJobsQueryDto, type Paginated } from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { JobsClient } from './jobs.client.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const ID_PARAM = {
  name: 'id',
  format: 'uuid',
  description: 'Job UUID (from the `Location` of the 202 that started it)',
  example: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
};
const VISIBILITY = 'Tenant callers see their tenant’s jobs only; system jobs (reconcile) are visible to platform admins only. Another tenant’s job is a 404.';

/** Status of asynchronous jobs, asked of the workers (which keep the jobs table). */
@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsClient) {}

  @Get()
  @Authenticated({ scope: 'jobs:read' })
  @ApiOperation({ summary: 'List jobs', description: `Newest first by default; filter by type and state. ${VISIBILITY}` })
  @ApiOkResponse({ type: JobListDto })
  @ApiErrors(400)
  list(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() q: ListJobsQueryDto): Promise<Paginated<JobDto>> {
    return this.jobs.list(callerContext(p, rid), q);
  }

  @Get(':id')
  @Authenticated({ scope: 'jobs:read' })
  @ApiOperation({
    summary: 'Get a job',
    description: `State (queued, active, completed, failed, cancelled), progress 0-100, result, error and timestamps. ${VISIBILITY}`,
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: JobDto })
  @ApiErrors(404)
  get(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('id') id: string): Promise<JobDto> {
    return this.jobs.get(callerContext(p, rid), id);
  }

  @Delete(':id')
  @AuditObject((c: JobsController, a) => c.get(a.principal, a.requestId, a.params.id))
  @Authenticated({ scope: 'jobs:write' })
  @ApiOperation({
    summary: 'Cancel a queued job',
    description: `Only a job still queued can be cancelled: it is removed from the queue and never runs; the answer is the job, now cancelled. A running or ended job is 409. ${VISIBILITY}`,
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: JobDto })
  @ApiErrors(404, 409, 503)
  cancel(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('id') id: string): Promise<JobDto> {
    return this.jobs.cancel(callerContext(p, rid), id);
  }
}
