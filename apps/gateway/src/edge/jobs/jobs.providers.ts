import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '#common';
import { JobQueues, JobStatusStore } from '#jobs';
import { APP_CONFIG } from '../../shared/app-config.js';

/** The gateway reads job status from the jobs table and enqueues through BullMQ (its own Redis connection). */
export const JOBS_PROVIDERS: Provider[] = [
  { provide: JobStatusStore, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new JobStatusStore(ds) },
  {
    provide: JobQueues,
    inject: [JobStatusStore, APP_CONFIG],
    useFactory: (store: JobStatusStore, config: AppConfig) =>
      new JobQueues(store, {
        redisUrl: config.REDIS_URL,
        databaseUrl: config.DATABASE_URL,
        nodeId: config.MAIL_NODE_ID,
        name: `mailplane-gateway-jobs-${process.pid}`,
        debounceMs: config.RECONCILE_DEBOUNCE_MS,
      }),
  },
];

@Injectable()
export class JobQueuesCloser implements OnApplicationShutdown {
  constructor(@Inject(JobQueues) private readonly queues: JobQueues) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
  }
}
