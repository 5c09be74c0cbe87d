import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { JobNames, queueFor, type JobName } from './job-names.js';
import type { JobOwner } from './job-data.js';
import type { JobRow, JobStatusStore } from './job-status.store.js';
import { bullConnection, jobsPrefix } from './redis-connection.js';

export interface JobQueuesOptions {
  redisUrl: string;
  databaseUrl: string;
  nodeId: string;
  /** Names the Redis connection (`mailplane-gateway-jobs`). */
  name: string;
  /** Quiet time before an automatic reconcile runs (RECONCILE_DEBOUNCE_MS). */
  debounceMs?: number;
  /** How long an enqueue may wait for Redis before it is reported as unavailable. */
  addTimeoutMs?: number;
}

/** Retries with exponential backoff; the job's data (which may hold passwords) leaves Redis when it ends. */
const JOB_OPTIONS: Record<JobName, JobsOptions> = {
  [JobNames.Reconcile]: { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: true },
  [JobNames.MailboxesImport]: { attempts: 3, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: true },
};

/** A steady stream of changes still reconciles after this many debounce periods. */
export const RECONCILE_MAX_WAIT_FACTOR = 10;
/** A failed job's per-row record outlives it this long at most. */
const DONE_TTL_MS = 7 * 24 * 3600 * 1000;
const FINISHED_DONE_TTL_MS = 10 * 60 * 1000;
const CANCELLABLE = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children']);

export class RedisUnavailableError extends Error {}

/**
 * Producer side of the queues: every job gets its jobs row first (state queued), then its BullMQ
 * job with the same id. Automatic reconciles are debounced through BullMQ deduplication, shared by
 * every replica through Redis.
 */
export class JobQueues {
  private readonly log = new Logger('JobQueues');
  private readonly queues = new Map<string, Queue>();
  private redis: Redis | null = null;
  readonly prefix: string;

  constructor(
    private readonly store: JobStatusStore,
    private readonly options: JobQueuesOptions,
  ) {
    this.prefix = jobsPrefix(options.databaseUrl);
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: bullConnection(this.options.redisUrl, this.options.name), prefix: this.prefix });
      q.on('error', (err) => this.log.warn(`queue ${name}: ${err.message}`));
      this.queues.set(name, q);
    }
    return q;
  }

  queueOf(job: JobName, nodeId = this.options.nodeId): Queue {
    return this.queue(queueFor(job, nodeId));
  }

  /** Inserts the jobs row as queued, then the BullMQ job (same id) on `nodeId`'s queue for a node job. Returns the row. */
  async enqueue(name: JobName, data: object, owner: JobOwner, nodeId?: string): Promise<JobRow> {
    const id = randomUUID();
    const row = await this.store.insertQueued(id, name, owner);
    try {
      await this.withTimeout(this.queueOf(name, nodeId).add(name, data, { jobId: id, ...JOB_OPTIONS[name] }));
    } catch (err) {
      // Should the add still land later, the worker sees a failed row and does not run it.
      await this.store.fail(id, 'The job could not be queued: Redis is unavailable.');
      throw err;
    }
    return row;
  }

  /**
   * Asks for an automatic reconcile after `debounceMs` of quiet. One delayed job per node
   * (deduplication id); each request pushes it back, up to RECONCILE_MAX_WAIT_FACTOR × debounce
   * after the first; a request while one runs leaves exactly one more to run after it
   * (keepLastIfActive). Returns the id of the job that will run.
   */
  async requestReconcile(): Promise<string> {
    const debounce = this.options.debounceMs ?? 1000;
    const cap = Math.max(debounce * RECONCILE_MAX_WAIT_FACTOR, 1);
    const queue = this.queueOf(JobNames.Reconcile);
    const client = this.client();
    const now = Date.now();
    const burstKey = this.burstKey();
    await client.set(burstKey, String(now), 'PX', cap * 2, 'NX');
    const start = Number((await client.get(burstKey)) ?? now);
    const delay = Math.max(0, Math.min(debounce, start + cap - now));
    const id = randomUUID();
    const job = await queue.add(
      JobNames.Reconcile,
      { trigger: 'auto' },
      {
        jobId: id,
        delay,
        deduplication: { id: `${JobNames.Reconcile}:${this.options.nodeId}`, keepLastIfActive: true, reschedule: true },
        ...JOB_OPTIONS[JobNames.Reconcile],
      },
    );
    // A new job: its row now (a deduplicated request joined an existing job, which has or gets its own).
    if (job.id === id) await this.store.insertQueued(id, JobNames.Reconcile, { tenantId: null, createdBy: null });
    return job.id ?? id;
  }

  /** An automatic reconcile starts: the next change opens a new burst (and a new wait cap). */
  async reconcileStarted(): Promise<void> {
    await this.client().del(this.burstKey());
  }

  /**
   * Per-row progress of a job, kept beside it in Redis (one list push per row, so a large import
   * costs O(rows), unlike rewriting the job's data each time). A retried attempt reads it back.
   */
  async recordDone(jobId: string, entry: object): Promise<void> {
    const key = this.doneKey(jobId);
    await this.client().multi().rpush(key, JSON.stringify(entry)).pexpire(key, DONE_TTL_MS).exec();
  }

  async doneEntries<T>(jobId: string): Promise<T[]> {
    return (await this.client().lrange(this.doneKey(jobId), 0, -1)).map((e) => JSON.parse(e) as T);
  }

  /** The job is finishing: its record goes soon, yet survives a crash before the end is stored. */
  async expireDone(jobId: string): Promise<void> {
    await this.client().pexpire(this.doneKey(jobId), FINISHED_DONE_TTL_MS);
  }

  /**
   * Cancels a job still waiting: removes its BullMQ job and marks the row cancelled. Returns the
   * row, or null when the job is no longer queued (running or ended).
   */
  async cancel(id: string, type: string): Promise<JobRow | null> {
    if (!(Object.values(JobNames) as string[]).includes(type)) return this.store.cancel(id);
    const job = await this.withTimeout(this.queueOf(type as JobName).getJob(id));
    if (job) {
      const state = await this.withTimeout(job.getState());
      if (!CANCELLABLE.has(state)) return null;
      try {
        await this.withTimeout(job.remove());
      } catch (err) {
        if (err instanceof RedisUnavailableError) throw err;
        return null; // a worker took it meanwhile (locked)
      }
    }
    return this.store.cancel(id);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.redis?.disconnect();
  }

  /** Plain Redis for the debounce bookkeeping beside the queues. */
  private client(): Redis {
    if (!this.redis) {
      this.redis = new Redis(bullConnection(this.options.redisUrl, `${this.options.name}-debounce`));
      this.redis.on('error', () => undefined); // the queues' own listeners report the outage
    }
    return this.redis;
  }

  private doneKey(jobId: string): string {
    return `${this.prefix}:job-done:${jobId}`;
  }

  private burstKey(): string {
    return `${this.prefix}:reconcile-burst:${this.options.nodeId}`;
  }

  /** BullMQ commands wait for Redis forever (maxRetriesPerRequest null); an API call must not. */
  private async withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.options.addTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailableError(`Redis did not answer within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
