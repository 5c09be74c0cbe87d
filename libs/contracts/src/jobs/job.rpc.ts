import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { JOB_TYPES, ListJobsQueryDto } from './job.dto.js';

/** Starts a job; the worker records its row and queues it (the tenant and creator come from ctx). */
export class EnqueueJobRpc extends WithCaller {
  @IsIn(JOB_TYPES) type: (typeof JOB_TYPES)[number];
  @IsObject() data: Record<string, unknown>;
  /** The mail node whose queue a node job (reconcile) goes to; default: the answering worker's node. */
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/) node_id?: string;
}

export class ListJobsRpc extends WithCaller {
  @ValidateNested() @Type(() => ListJobsQueryDto) query: ListJobsQueryDto;
}

export class JobRefRpc extends WithCaller {
  /** Any string: one that is not a UUID is simply not found. */
  @IsString() @MaxLength(128) id: string;
}
