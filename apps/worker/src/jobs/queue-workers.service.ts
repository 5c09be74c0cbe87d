import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { AppConfig } from '#common';
import { bullConnection, jobsPrefix, JobNames, JobQueues, JobStatusStore, nodeQueueName, QueueNames } from '#jobs';
import { MailboxImportProcessor } from '../import/mailbox-import.processor.js';
import { ReconcileProcessor } from '../reconcile/reconcile.processor.js';
import { InjectWorkerConfig } from '../worker.tokens.js';
import { JobRunner, type JobProcessor } from './job-runner.js';

/**
 * The BullMQ workers (WORKER_QUEUES picks them): this node's queue (reconcile, one at a time: runs must not interleave on the
 * same files) and the shared queue (imports, WORKER_CONCURRENCY at once). A short lock lets a job
 * of a crashed worker be picked up again within seconds.
 */
@Injectable()
export class QueueWorkersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('QueueWorkers');
  private readonly workers: Worker[] = [];
  private readonly processors: Record<string, JobProcessor>;

  constructor(
    @InjectWorkerConfig() private readonly config: AppConfig,
    private readonly runner: JobRunner,
    private readonly queues: JobQueues,
    private readonly store: JobStatusStore,
    reconcile: ReconcileProcessor,
    mailboxImport: MailboxImportProcessor,
  ) {
    this.processors = {
      [JobNames.Reconcile]: (job) => reconcile.process(job),
      [JobNames.MailboxesImport]: (job) => mailboxImport.process(job),
    };
  }

  onApplicationBootstrap(): void {
    const which = this.config.WORKER_QUEUES;
    if (which === 'none') return;
    if (which !== 'shared') {
      this.workers.push(this.start(nodeQueueName(this.config.MAIL_NODE_ID), 1));
      // A fresh (or restarted) mail node has only its base files until a reconcile renders the rest.
      this.queues.requestReconcile().catch((err: Error) => this.log.warn(`start-up reconcile not requested: ${err.message}`));
    }
    if (which !== 'node') this.workers.push(this.start(QueueNames.Shared, this.config.WORKER_CONCURRENCY));
  }

  private start(queue: string, concurrency: number): Worker {
    const worker = new Worker(queue, (job: Job) => this.process(job), {
      connection: bullConnection(this.config.REDIS_URL, `mailplane-worker-${process.pid}`),
      prefix: jobsPrefix(this.config.DATABASE_URL),
      concurrency,
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 1,
    });
    // Without a listener an 'error' (Redis gone) would crash the process; BullMQ reconnects by itself.
    let lastLogged = 0;
    worker.on('error', (err) => {
      if (Date.now() - lastLogged < 10_000) return;
      lastLogged = Date.now();
      this.log.warn(`queue ${queue}: ${err.message}`);
    });
    worker.on('failed', (job, err) => this.log.warn(`job ${job?.id} (${job?.name}) failed: ${err.message}`));
    worker.on('stalled', (jobId) => void this.stalled(queue, jobId).catch((err: Error) => this.log.warn(`stalled job ${jobId}: ${err.message}`)));
    return worker;
  }

  /**
   * A job whose worker died: BullMQ runs it again (its row stays active meanwhile), or past
   * maxStalledCount fails it without any processor seeing it; then the row is failed here.
   */
  private async stalled(queue: string, jobId: string): Promise<void> {
    const job = await this.queues.queue(queue).getJob(jobId);
    const state = job ? await job.getState() : 'unknown';
    this.log.warn(`job ${jobId} stalled (its worker stopped); now ${state}`);
    if (state === 'failed' || state === 'unknown') {
      await this.store.failIfActive(jobId, 'The worker running this job stopped more than once; it was not retried further.');
    }
  }

  private process(job: Job): Promise<object | null> {
    const processor = this.processors[job.name];
    if (!processor) throw new UnrecoverableError(`no processor for job ${job.name}`);
    return this.runner.run(job, processor);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
  }
}
