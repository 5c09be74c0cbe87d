import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import type { AppConfig } from '#common';
import { JobQueues, JobStatusStore, type ReconcileJobData } from '#jobs';
import { mailstackPathsFrom, MailstackMissingError, ReconcileError, reconcileMailstack, type ReconcileResult } from '#mailstack';
import { PermanentJobError } from '../jobs/permanent-job.error.js';
import { InjectWorkerConfig } from '../worker.tokens.js';
import { buildReconcileInput } from './reconcile-input.js';

/** Renders the mail stack from the database and reloads what changed (libs/mailstack does the work). */
@Injectable()
export class ReconcileProcessor {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectWorkerConfig() private readonly config: AppConfig,
    private readonly queues: JobQueues,
    private readonly store: JobStatusStore,
  ) {}

  async process(job: Job<ReconcileJobData>): Promise<ReconcileResult & { warnings?: string[] }> {
    // Changes from now on must lead to another run: they open a new debounce burst.
    if (job.data.trigger === 'auto') await this.queues.reconcileStarted();
    const { input, warnings } = await buildReconcileInput(this.ds, this.config);
    const withWarnings = <T extends object>(r: T) => (warnings.length ? { ...r, warnings } : r);
    try {
      const result = await reconcileMailstack(input, mailstackPathsFrom(this.config), (percent) => {
        void this.store.progress(job.id!, percent).catch(() => undefined);
      });
      return withWarnings(result);
    } catch (err) {
      if (err instanceof ReconcileError) throw new PermanentJobError(err.reason, withWarnings({ steps: err.steps }));
      if (err instanceof MailstackMissingError) throw new PermanentJobError(err.message);
      throw err;
    }
  }
}
