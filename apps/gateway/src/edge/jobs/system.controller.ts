import { Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { JobAcceptedDto } from '#contracts';
import { JobNames } from '#jobs';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { accepted, ApiJobAccepted } from './job-accepted.js';
import { JobsClient } from './jobs.client.js';

@ApiTags('system')
@Controller('system')
export class SystemController {
  constructor(private readonly jobs: JobsClient) {}

  @Post('reconcile')
  @HttpCode(202)
  @Authenticated({ scope: 'system:write' })
  @ApiOperation({
    summary: 'Reconcile the mail stack now',
    description:
      'Platform-only (other roles: 403 FORBIDDEN). Starts a `reconcile` job on the mail node: renders Postfix, Dovecot and OpenDKIM ' +
      'configuration from the database, checks it (a failed check restores the previous files and fails the job with the reason), ' +
      'and reloads what changed. Result: steps, changed files, reloaded daemons, duration. Without a mail stack on the node the job fails ' +
      'naming what is missing. Changes through the API also trigger a reconcile automatically (debounced).',
  })
  @ApiBody({
    required: false,
    description: 'No fields: send `{}` (or no body) with Content-Type: application/json.',
    schema: { type: 'object', properties: {}, additionalProperties: false, example: {} },
  })
  @ApiJobAccepted('The reconcile job, queued')
  @ApiErrors(403, 415, 503)
  async reconcile(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Res({ passthrough: true }) res: FastifyReply): Promise<JobAcceptedDto> {
    return accepted(res, await this.jobs.enqueue(callerContext(p, rid), JobNames.Reconcile, { trigger: 'manual' }));
  }
}
