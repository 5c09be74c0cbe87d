import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ListMetaDto, PageQueryDto } from '../pagination.js';

export const JOB_STATES = ['queued', 'active', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
/** Job types the API lists (the `jobs.type` column; same strings as libs/jobs JobNames). */
export const JOB_TYPES = ['reconcile', 'mailboxes.import'] as const;
export const JOB_SORT_FIELDS = ['created_at', 'updated_at', 'finished_at', 'type', 'state'] as const;
export type JobSortField = (typeof JOB_SORT_FIELDS)[number];

const ID_EXAMPLE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

export class JobDto {
  @ApiProperty({ format: 'uuid', example: ID_EXAMPLE }) id: string;
  @ApiProperty({ enum: JOB_TYPES, example: 'reconcile' }) type: string;
  @ApiProperty({ enum: JOB_STATES, example: 'completed' }) state: JobState;
  @ApiProperty({ minimum: 0, maximum: 100, example: 100 }) progress: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'What the job did, once it ends (reconcile: steps, changed, reloaded, duration_ms; mailboxes.import: rows and totals). Never holds secrets.',
    example: {
      steps: [{ name: 'postfix.check', outcome: 'ok', duration_ms: 120 }],
      changed: ['/etc/postfix/main.cf'],
      reloaded: ['postfix'],
      duration_ms: 840,
    },
  })
  result: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the job failed', example: null }) error: string | null;
  @ApiProperty({ description: 'Attempts started so far (transient failures are retried with backoff)', example: 1 }) attempts: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The tenant; null = a system job (platform admins only)', example: null })
  tenant_id: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The account or API key that asked; null = started automatically', example: null })
  created_by: string | null;
  @ApiProperty({ description: 'Where to poll this job', example: `/api/v1/jobs/${ID_EXAMPLE}` }) status_url: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-21T10:00:00.200Z' }) started_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-21T10:00:01.040Z' }) finished_at: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:01.040Z' }) updated_at: string;
}

export class JobListDto {
  @ApiProperty({ type: [JobDto] }) data: JobDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

/** The 202 body of every route that starts a job. */
export class JobAcceptedDto {
  @ApiProperty({ type: JobDto }) job: JobDto;
}

export class ListJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_TYPES })
  @IsOptional()
  @IsIn(JOB_TYPES, { message: `type must be one of: ${JOB_TYPES.join(', ')}` })
  type?: string;

  @ApiPropertyOptional({ enum: JOB_STATES })
  @IsOptional()
  @IsIn(JOB_STATES, { message: `state must be one of: ${JOB_STATES.join(', ')}` })
  state?: JobState;

  @ApiPropertyOptional({ enum: JOB_SORT_FIELDS, default: 'created_at' })
  @IsOptional()
  @IsIn(JOB_SORT_FIELDS, { message: `sort must be one of: ${JOB_SORT_FIELDS.join(', ')}` })
  sort?: JobSortField;
}

export type ImportRowStatus = 'created' | 'exists' | 'failed';

export class ImportRowResultDto {
  @ApiProperty({ description: '1-based data row', example: 2 }) row: number;
  @ApiPropertyOptional({ example: 'bob@example.com' }) address?: string;
  @ApiProperty({ enum: ['created', 'exists', 'failed'], example: 'created' }) status: ImportRowStatus;
  @ApiPropertyOptional({ format: 'uuid' }) mailbox_id?: string;
  @ApiPropertyOptional({ example: 'password: at least 10 characters' }) error?: string;
}
