import { Module } from '@nestjs/common';
import { JobQueues } from '#jobs';
import { JOBS_PROVIDERS, JobQueuesCloser } from './jobs.providers.js';
import { JobsController } from './jobs.controller.js';
import { JobsService } from './jobs.service.js';
import { MailboxImportController } from './mailbox-import.controller.js';
import { MailboxImportService } from './mailbox-import.service.js';
import { SystemController } from './system.controller.js';

@Module({
  controllers: [JobsController, SystemController, MailboxImportController],
  providers: [...JOBS_PROVIDERS, JobQueuesCloser, JobsService, MailboxImportService],
  // The health check counts the workers of this node's queue.
  exports: [JobQueues],
})
export class JobsModule {}
