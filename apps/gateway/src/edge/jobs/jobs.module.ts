import { Module } from '@nestjs/common';
import { JobQueueWatch } from './job-queue-watch.js';
import { JobsClient } from './jobs.client.js';
import { JobsController } from './jobs.controller.js';
import { MailboxImportController } from './mailbox-import.controller.js';
import { MailboxImportService } from './mailbox-import.service.js';
import { SystemController } from './system.controller.js';

@Module({
  controllers: [JobsController, SystemController, MailboxImportController],
  providers: [JobsClient, JobQueueWatch, MailboxImportService],
  // The health check counts the workers of this node's queue.
  exports: [JobQueueWatch],
})
export class JobsModule {}
