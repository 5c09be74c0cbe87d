import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { JobStatusStore } from '#jobs';
import { PermanentJobError } from './permanent-job.error.js';

export type JobProcessor = (job: Job) => Promise<object>;

/** The message of an error as stored on the job (no stack, bounded). */
function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 2000 ? `${m.slice(0, 2000)}…` : m;
}

/**
 * Runs one attempt of a job and mirrors it into the jobs table: active, then completed, failed, or
 * queued again for a retry. Permanent failures become UnrecoverableError so BullMQ does not retry.
 */
@Injectable()
export class JobRunner {
  private readonly log = new Logger('JobRunner');

  constructor(private readonly store: JobStatusStore) {}

  async run(job: Job, processor: JobProcessor): Promise<object | null> {
    const id = job.id!;
    const attempt = job.attemptsStarted || job.attemptsMade + 1;
    if (!(await this.store.markActive(id, job.name, attempt, new Date(job.timestamp)))) {
      this.log.warn(`job ${id} (${job.name}) was cancelled or ended before it ran; skipped`);
      return null;
    }
    try {
      const result = await processor(job);
      await this.store.complete(id, result);
      return result;
    } catch (err) {
      if (err instanceof PermanentJobError) {
        await this.store.fail(id, err.message, err.result);
        throw new UnrecoverableError(err.message);
      }
      const maxAttempts = job.opts.attempts ?? 1;
      this.log.warn(`job ${id} (${job.name}) attempt ${attempt}/${maxAttempts} failed: ${messageOf(err)}`);
      // BullMQ retries on attemptsMade (a stalled run restarts without counting): so does the mirror.
      if (job.attemptsMade + 1 >= maxAttempts) await this.store.fail(id, messageOf(err), (err as { partialResult?: object }).partialResult);
      else await this.store.retrying(id, messageOf(err));
      throw err;
    }
  }
}
