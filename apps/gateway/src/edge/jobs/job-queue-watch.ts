import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { AppConfig } from '#common';
import { bullConnection, jobsPrefix, nodeQueueName } from '#jobs';
import { APP_CONFIG } from '../../shared/app-config.js';

/** For /health: how many workers consume this gateway's mail node queue (a read of Redis; the gateway never adds jobs itself). */
@Injectable()
export class JobQueueWatch implements OnApplicationShutdown {
  private queue: Queue | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  workersOfNode(): Promise<number> {
    this.queue ??= new Queue(nodeQueueName(this.config.MAIL_NODE_ID), {
      connection: bullConnection(this.config.REDIS_URL, `mailplane-gateway-health-${process.pid}`),
      prefix: jobsPrefix(this.config.DATABASE_URL),
    });
    return this.queue.getWorkersCount();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }
}
