import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { Worker, type Job } from 'bullmq';
import { loadConfig } from '#common';
import { EventSubjects } from '#contracts';
import { bullConnection, jobsPrefix, JobQueues, JobStatusStore, nodeQueueName, type ReconcileJobData } from '#jobs';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/database.js';
import { startNats, type NatsServer } from '../../../../test/helpers/processes.js';
import { JobRunner } from '../jobs/job-runner.js';
import { ReconcileTriggerService } from './reconcile-trigger.service.js';

const DEBOUNCE_MS = 500;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/**
 * The automatic reconcile trigger against real NATS, Redis and PostgreSQL: two worker replicas'
 * triggers share the event stream (queue group); a reconcile processor that can be held open stands
 * in for the mail stack (the run itself is libs/mailstack's; here only how many runs happen counts).
 */
describe('debounced automatic reconcile', () => {
  let db: TestDatabase;
  let nats: NatsServer;
  let nc: NatsConnection;
  let dkimNc: NatsConnection;
  let store: JobStatusStore;
  const queues: JobQueues[] = [];
  const triggers: ReconcileTriggerService[] = [];
  let worker: Worker;
  const runs: { id: string; at: number }[] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();

  const reconcileRows = async () =>
    db.query<{ id: string; state: string; tenant_id: string | null; created_by: string | null; result: object }>(
      `SELECT id, state, tenant_id, created_by, result FROM jobs WHERE type = 'reconcile' ORDER BY created_at`,
    );
  const settle = async (n: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await reconcileRows();
      if (rows.length >= n && rows.every((r) => r.state === 'completed')) return rows;
      if (Date.now() > deadline) throw new Error(`expected ${n} completed reconciles, have ${JSON.stringify(rows)}`);
      await sleep(50);
    }
  };

  before(async () => {
    db = await createTestDatabase('reconcile_debounce');
    nats = await startNats();
    // The events come as domain-service publishes them; the triggers listen as the worker's bus user.
    nc = await nats.connect('domain-service');
    dkimNc = await nats.connect('dkim-tls-service');
    store = new JobStatusStore(db);
    const config = loadConfig({ NATS_URL: nats.url, ...nats.credentials('worker') });
    for (const replica of [1, 2]) {
      const q = new JobQueues(store, {
        redisUrl: REDIS_URL,
        databaseUrl: db.url,
        nodeId: 'default',
        name: `debounce-spec-${replica}`,
        debounceMs: DEBOUNCE_MS,
      });
      const t = new ReconcileTriggerService(config, q);
      await t.onApplicationBootstrap();
      queues.push(q);
      triggers.push(t);
    }
    const runner = new JobRunner(store);
    worker = new Worker(
      nodeQueueName('default'),
      (job: Job<ReconcileJobData>) =>
        runner.run(job, async () => {
          // As ReconcileProcessor does: a started automatic run lets the next change open a new burst.
          if (job.data.trigger === 'auto') await queues[0].reconcileStarted();
          runs.push({ id: job.id!, at: Date.now() });
          await gate;
          return { steps: [], changed: [], reloaded: [], duration_ms: 0 };
        }),
      { connection: bullConnection(REDIS_URL, 'debounce-spec-worker'), prefix: jobsPrefix(db.url), concurrency: 1 },
    );
    await nc.flush();
  });
  beforeEach(async () => {
    await settle(0).catch(() => undefined);
    await db.query(`DELETE FROM jobs`);
    runs.length = 0;
  });
  after(async () => {
    release();
    await worker?.close();
    for (const t of triggers) await t.onApplicationShutdown();
    for (const q of queues) await q.close();
    await nc?.close();
    await dkimNc?.close();
    await nats?.stop();
    await db?.drop();
  });

  it('1,000 relevant events within about a second (across two replicas) cause exactly one reconcile; other events none', async () => {
    const subjects = [EventSubjects.DomainCreated, EventSubjects.DomainUpdated, EventSubjects.ConfigChanged, EventSubjects.DkimChanged];
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 100; i++) {
        const subject = subjects[i % subjects.length];
        (subject === EventSubjects.DkimChanged ? dkimNc : nc).publish(subject, JSON.stringify({ domain_id: `d${burst}-${i}` }));
      }
      // Not an event anyone may publish: the bus refuses it, and the trigger would ignore it anyway.
      nc.publish('events.mailbox.created', '{}');
      await Promise.all([nc.flush(), dkimNc.flush()]);
      await sleep(100);
    }
    const [row] = await settle(1);
    await sleep(DEBOUNCE_MS * 4);
    const rows = await reconcileRows();
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(runs.length, 1);
    assert.equal(row.tenant_id, null);
    assert.equal(row.created_by, null);
    assert.deepEqual(row.result, { steps: [], changed: [], reloaded: [], duration_ms: 0 });
  });

  it('events while a reconcile runs cause exactly one more run after it', async () => {
    gate = new Promise((r) => (release = r));
    nc.publish(EventSubjects.DomainCreated, '{}');
    const deadline = Date.now() + 5000;
    while (!runs.length && Date.now() < deadline) await sleep(20);
    assert.equal(runs.length, 1, 'the first run started');
    for (let i = 0; i < 50; i++) nc.publish(EventSubjects.ConfigChanged, '{}');
    await nc.flush();
    await sleep(DEBOUNCE_MS * 3);
    assert.equal(runs.length, 1, 'nothing runs beside the active reconcile');
    release();
    gate = Promise.resolve();
    await settle(2);
    await sleep(DEBOUNCE_MS * 4);
    assert.equal(runs.length, 2);
    assert.equal((await reconcileRows()).length, 2);
    assert.ok(runs[1].at >= runs[0].at + DEBOUNCE_MS - 50, 'the follow-up waited for the quiet time');
  });

  it('a steady stream of changes still reconciles within 10 × the debounce', async () => {
    const start = Date.now();
    const streamMs = DEBOUNCE_MS * 12;
    while (Date.now() - start < streamMs) {
      nc.publish(EventSubjects.DomainUpdated, '{}');
      await sleep(DEBOUNCE_MS / 3);
    }
    assert.ok(runs.length >= 1, 'a run happened during the stream');
    assert.ok(runs[0].at - start <= DEBOUNCE_MS * 10 + 500, `first run after ${runs[0].at - start} ms`);
    await settle(runs.length + 1).catch(() => undefined);
  });
});
