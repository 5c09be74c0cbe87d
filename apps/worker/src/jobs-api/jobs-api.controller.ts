import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EnqueueJobRpc, JobRefRpc, JobSubjects, ListJobsRpc, type JobDto, type Paginated } from '#contracts';
import { JobsApiService } from './jobs-api.service.js';

@Controller()
export class JobsApiController {
  constructor(private readonly jobs: JobsApiService) {}

  @MessagePattern(JobSubjects.Enqueue)
  enqueue(@Payload() msg: EnqueueJobRpc): Promise<JobDto> {
    return this.jobs.enqueue(msg.ctx, msg.type, msg.data, msg.node_id);
  }

  @MessagePattern(JobSubjects.List)
  list(@Payload() msg: ListJobsRpc): Promise<Paginated<JobDto>> {
    return this.jobs.list(msg.ctx, msg.query);
  }

  @MessagePattern(JobSubjects.Get)
  get(@Payload() msg: JobRefRpc): Promise<JobDto> {
    return this.jobs.get(msg.ctx, msg.id);
  }

  @MessagePattern(JobSubjects.Cancel)
  cancel(@Payload() msg: JobRefRpc): Promise<JobDto> {
    return this.jobs.cancel(msg.ctx, msg.id);
  }
}
