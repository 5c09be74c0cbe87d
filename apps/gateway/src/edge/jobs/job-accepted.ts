import { ApiAcceptedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto, type JobDto } from '#contracts';

/** 202 with the job and `Location: /api/v1/jobs/{id}`: how every route that starts a job answers. */
export function accepted(res: FastifyReply, job: JobDto): JobAcceptedDto {
  void res.status(202).header('Location', job.status_url);
  return { job };
}

export function ApiJobAccepted(description: string) {
  return ApiAcceptedResponse({
    type: JobAcceptedDto,
    description,
    headers: {
      Location: {
        description: 'URL of the job: poll it for state, progress and result',
        schema: { type: 'string', example: '/api/v1/jobs/7c9e6679-7425-40de-944b-e07fc1f90ae7' },
      },
    },
  });
}
