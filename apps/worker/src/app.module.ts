import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { createLoggerModule, createValidationPipe, NatsRpcClient, RpcErrorFilter, type AppConfig } from '#common';
import { databaseModule } from '#database';
import { JobQueues, JobStatusStore } from '#jobs';
import { MailboxImportProcessor } from './import/mailbox-import.processor.js';
import { JobsApiController } from './jobs-api/jobs-api.controller.js';
import { JobsApiService } from './jobs-api/jobs-api.service.js';
import { JobsRepository } from './jobs-api/jobs.repository.js';
import { JobRunner } from './jobs/job-runner.js';
import { QueueWorkersService } from './jobs/queue-workers.service.js';
import { ReconcileProcessor } from './reconcile/reconcile.processor.js';
import { ReconcileTriggerService } from './reconcile/reconcile-trigger.service.js';
import { WORKER_CONFIG } from './worker.tokens.js';

@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(
    @Inject(JobQueues) private readonly queues: JobQueues,
    @Inject(NatsRpcClient) private readonly rpc: NatsRpcClient,
  ) {}

  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [createLoggerModule(config, 'worker'), databaseModule(config, 'worker')],
      controllers: [JobsApiController],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: JobStatusStore, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new JobStatusStore(ds) },
        {
          provide: JobQueues,
          inject: [JobStatusStore],
          useFactory: (store: JobStatusStore) =>
            new JobQueues(store, {
              redisUrl: config.REDIS_URL,
              databaseUrl: config.DATABASE_URL,
              nodeId: config.MAIL_NODE_ID,
              name: `mailplane-worker-producer-${process.pid}`,
              debounceMs: config.RECONCILE_DEBOUNCE_MS,
              // An enqueue answers the gateway's RPC: a Redis outage must be reported before the gateway's NATS timeout.
              addTimeoutMs: Math.max(500, Math.min(5000, config.NATS_TIMEOUT_MS - 1500)),
            }),
        },
        { provide: NatsRpcClient, useFactory: () => NatsRpcClient.connect(config, 'worker') },
        JobRunner,
        JobsApiService,
        JobsRepository,
        ReconcileProcessor,
        MailboxImportProcessor,
        QueueWorkersService,
        ReconcileTriggerService,
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.queues.close(), this.rpc.close()]);
  }
}
