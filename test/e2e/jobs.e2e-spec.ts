import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SecretBox } from '#common';
import { jobsPrefix, JobNames, JobQueues, JobStatusStore, nodeQueueName, QueueNames, sealImportRow, type MailboxImportJobData } from '#jobs';
import { expectError } from '../helpers/api-client.js';
import { WORKER_MAIN } from '../helpers/paths.js';
import { freePort, Proc, waitFor } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

const PW = 'Str0ng-Passphrase!';
const ENDED = ['completed', 'failed', 'cancelled'];
type Body = any;

describe('jobs: reconcile, mailbox import, status, cancel (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let b: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let redis: Redis;
  let existingId: string;
  let finishedReconcile: string;
  let importJobA: string;

  const admin = () => stack.api(stack.admin.apiKey);
  const waitJob = async (token: string, id: string, states = ENDED, timeoutMs = 30_000): Promise<Body> => {
    let last: Body;
    await waitFor(
      `job ${id} in ${states.join('/')}`,
      async () => {
        const r = await stack.api(token).get(`/api/v1/jobs/${id}`);
        assert.equal(r.status, 200, r.text);
        last = r.body;
        return states.includes(last.state);
      },
      timeoutMs,
    );
    return last;
  };
  /** `queues: 'none'`: a worker that answers the jobs API but runs nothing, so jobs stay queued. */
  const restartWorker = async (queues = 'all') => {
    const port = await freePort();
    const worker = new Proc('worker', process.execPath, [WORKER_MAIN], { ...stack.appEnv('worker'), HEALTH_PORT: String(port), WORKER_QUEUES: queues });
    stack.apps.set('worker', worker);
    await waitFor('worker ready', async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.status === 200);
  };
  /** BullMQ keys of one job (its data, with passwords, must be gone once it ended). */
  const redisKeysOf = (queue: string, id: string) => redis.keys(`${jobsPrefix(stack.db.url)}:${queue}:${id}*`);

  before(async () => {
    stack = await TestStack.start('jobs');
    redis = new Redis(stack.env.REDIS_URL!);
    a = await stack.tenantAdmin('jobs-a');
    b = await stack.tenantAdmin('jobs-b');
    assert.equal((await stack.api(a.token).post('/api/v1/domains', { name: 'jobs-a.example' })).status, 201);
    assert.equal((await stack.api(b.token).post('/api/v1/domains', { name: 'jobs-b.example' })).status, 201);
    const m = await stack.api(a.token).post('/api/v1/mailboxes', { username: 'existing@jobs-a.example', password: PW });
    assert.equal(m.status, 201, m.text);
    existingId = m.body.id;
  });
  after(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  it('POST /system/reconcile answers 202 + Location; without a mail stack the job fails naming the missing Postfix', async () => {
    const res = await admin().post('/api/v1/system/reconcile', {});
    assert.equal(res.status, 202, res.text);
    const job = res.body.job;
    assert.equal(job.type, 'reconcile');
    assert.equal(job.state, 'queued');
    assert.equal(res.headers.get('location'), `/api/v1/jobs/${job.id}`);
    assert.equal(job.status_url, `/api/v1/jobs/${job.id}`);
    assert.equal(job.tenant_id, null);
    assert.ok(job.created_by);
    const done = await waitJob(stack.admin.apiKey, job.id);
    assert.equal(done.state, 'failed');
    assert.match(done.error, /postfix was not found in MAILSTACK_BIN_PATH \(\/nonexistent\/mailplane-no-mailstack\): this host has no Postfix installed/);
    assert.equal(done.attempts, 1, 'a missing mail stack is permanent: no retry');
    assert.ok(done.started_at && done.finished_at);
    const [row] = await stack.db.query<{ state: string; error: string }>(`SELECT state, error FROM jobs WHERE id = $1`, [job.id]);
    assert.equal(row.state, 'failed');
    assert.deepEqual(await redisKeysOf(nodeQueueName('default'), job.id), []);
    finishedReconcile = job.id;
  });

  it('a change through the API leads to an automatic (system) reconcile job', async () => {
    const autoRows = async () => stack.db.query<{ id: string; state: string }>(`SELECT id, state FROM jobs WHERE type = 'reconcile' AND created_by IS NULL`);
    // The set-up's changes already asked for one: let it run, so this change opens a new burst.
    await waitFor('set-up reconcile done', async () => {
      const rows = await autoRows();
      return rows.length > 0 && rows.every((r) => ENDED.includes(r.state));
    });
    await new Promise((r) => setTimeout(r, 1000));
    const before = (await autoRows()).length;
    assert.equal((await admin().post('/api/v1/domains', { name: 'auto-reconcile.example', tenant_id: a.tenantId })).status, 201);
    let auto: Body;
    await waitFor('automatic reconcile job', async () => {
      const r = await admin().get('/api/v1/jobs?type=reconcile&limit=500');
      const autos = r.body.data.filter((j: Body) => j.created_by === null);
      auto = autos[0];
      return autos.length > before && ENDED.includes(auto.state);
    });
    assert.equal(auto.tenant_id, null);
    assert.equal(auto.state, 'failed');
    assert.match(auto.error, /no Postfix installed/);
  });

  it('reconcile and system jobs are platform-only: a tenant gets 403 and never sees them', async () => {
    expectError(await stack.api(a.token).post('/api/v1/system/reconcile', {}), 403, 'FORBIDDEN');
    expectError(await stack.api(a.token).get(`/api/v1/jobs/${finishedReconcile}`), 404, 'NOT_FOUND');
    const list = await stack.api(a.token).get('/api/v1/jobs?type=reconcile');
    assert.equal(list.status, 200);
    assert.equal(list.body.meta.total, 0);
    expectError(await stack.api(a.token).delete(`/api/v1/jobs/${finishedReconcile}`), 404, 'NOT_FOUND');
  });

  it('imports mailboxes: rows really exist, per-row results for a refused row and an existing address, no password kept', async () => {
    const rows = [
      { address: 'new1@jobs-a.example', name: 'New One', password: PW, quota_bytes: 1024 },
      { username: 'new2', domain: 'jobs-a.example', password: PW, active: 'false' },
      { address: 'weak@jobs-a.example', password: 'short' },
      { address: 'existing@jobs-a.example', password: PW },
    ];
    const res = await stack.api(a.token).post('/api/v1/mailboxes/import', { rows });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.headers.get('location'), `/api/v1/jobs/${res.body.job.id}`);
    assert.equal(res.body.job.type, 'mailboxes.import');
    assert.equal(res.body.job.tenant_id, a.tenantId);
    importJobA = res.body.job.id;
    const done = await waitJob(a.token, importJobA);
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal(done.progress, 100);
    const byRow = Object.fromEntries(done.result.rows.map((r: Body) => [r.row, r]));
    assert.equal(byRow[1].status, 'created');
    assert.equal(byRow[1].address, 'new1@jobs-a.example');
    assert.equal(byRow[2].status, 'created');
    assert.equal(byRow[2].address, 'new2@jobs-a.example');
    assert.equal(byRow[3].status, 'failed');
    assert.match(byRow[3].error, /password/);
    assert.equal(byRow[4].status, 'exists');
    assert.equal(byRow[4].mailbox_id, existingId);
    assert.deepEqual(done.result.totals, { total: 4, created: 2, exists: 1, failed: 1 });

    const got = await stack.api(a.token).get('/api/v1/mailboxes?search=new&sort=address');
    assert.deepEqual(
      got.body.data.map((m: Body) => [m.address, m.id, m.active, m.quota_bytes]),
      [
        ['new1@jobs-a.example', byRow[1].mailbox_id, true, 1024],
        ['new2@jobs-a.example', byRow[2].mailbox_id, false, null],
      ],
    );
    const stored = await stack.db.query(`SELECT * FROM jobs WHERE id = $1`, [importJobA]);
    assert.ok(!JSON.stringify(stored).includes(PW), 'the jobs row holds no password');
    assert.deepEqual(await redisKeysOf(QueueNames.Shared, importJobA), [], 'the job data (passwords) left Redis');
  });

  it('refuses an import where no row can be created (400, nothing queued)', async () => {
    const before = (await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs`))[0].n;
    const res = await stack.api(a.token).post('/api/v1/mailboxes/import', { rows: [{ address: 'weak2@jobs-a.example', password: 'x' }] });
    const err = expectError(res, 400, 'VALIDATION_FAILED');
    assert.equal(err.fields?.[0].field, 'rows[0]');
    assert.match(err.fields![0].message, /password/);
    expectError(await stack.api(a.token).post('/api/v1/mailboxes/import', { csv: 'bogus,columns\n1,2\n' }), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(a.token).post('/api/v1/mailboxes/import', { rows: [] }), 400, 'VALIDATION_FAILED');
    assert.equal((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs`))[0].n, before);
  });

  it('isolates tenants: B gets 404 on A’s import job and does not list it; the platform sees it', async () => {
    expectError(await stack.api(b.token).get(`/api/v1/jobs/${importJobA}`), 404, 'NOT_FOUND');
    expectError(await stack.api(b.token).delete(`/api/v1/jobs/${importJobA}`), 404, 'NOT_FOUND');
    const listB = await stack.api(b.token).get('/api/v1/jobs');
    assert.equal(listB.status, 200);
    assert.ok(!listB.body.data.some((j: Body) => j.id === importJobA));
    const listA = await stack.api(a.token).get('/api/v1/jobs');
    assert.deepEqual(
      listA.body.data.map((j: Body) => j.id),
      [importJobA],
    );
    assert.equal((await admin().get(`/api/v1/jobs/${importJobA}`)).status, 200);
  });

  it('lists with type/state filters, pagination and sort; bad queries are 400, unknown ids 404', async () => {
    const all = await admin().get('/api/v1/jobs?limit=500');
    assert.equal(all.status, 200);
    const total = all.body.meta.total;
    assert.ok(total >= 3);
    const imports = await admin().get('/api/v1/jobs?type=mailboxes.import&state=completed');
    assert.deepEqual(
      imports.body.data.map((j: Body) => j.id),
      [importJobA],
    );
    const failed = await admin().get('/api/v1/jobs?state=failed&limit=500');
    assert.ok(failed.body.data.length >= 2 && failed.body.data.every((j: Body) => j.state === 'failed' && j.type === 'reconcile'));
    const none = await admin().get('/api/v1/jobs?type=reconcile&state=completed');
    assert.deepEqual(none.body, { data: [], meta: { page: 1, limit: 50, total: 0 } });
    const p1 = await admin().get('/api/v1/jobs?limit=1&page=1&sort=created_at&order=asc');
    const p2 = await admin().get('/api/v1/jobs?limit=1&page=2&sort=created_at&order=asc');
    assert.deepEqual(p1.body.meta, { page: 1, limit: 1, total });
    assert.equal(p1.body.data.length, 1);
    assert.notEqual(p1.body.data[0].id, p2.body.data[0].id);
    assert.equal(p1.body.data[0].id, all.body.data.at(-1).id, 'ascending page 1 is the oldest');
    const past = await admin().get(`/api/v1/jobs?limit=1&page=${total + 1}`);
    assert.deepEqual(past.body, { data: [], meta: { page: total + 1, limit: 1, total } });
    expectError(await admin().get('/api/v1/jobs?state=sleeping'), 400, 'VALIDATION_FAILED');
    expectError(await admin().get('/api/v1/jobs?type=nope'), 400, 'VALIDATION_FAILED');
    expectError(await admin().get('/api/v1/jobs?sort=error'), 400, 'VALIDATION_FAILED');
    expectError(await admin().get('/api/v1/jobs/not-a-uuid'), 404, 'NOT_FOUND');
    expectError(await admin().get('/api/v1/jobs/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
  });

  it('cancels a queued job (it never runs, even after the worker restarts); a finished job is 409', async () => {
    expectError(await admin().delete(`/api/v1/jobs/${finishedReconcile}`), 409, 'CONFLICT');
    expectError(await stack.api(a.token).delete(`/api/v1/jobs/${importJobA}`), 409, 'CONFLICT');
    await stack.apps.get('worker')!.stop();
    // The workers keep the jobs table: with none running, jobs can be neither started nor read.
    expectError(await admin().post('/api/v1/system/reconcile', {}), 503, 'DEPENDENCY_UNAVAILABLE');
    expectError(await admin().get(`/api/v1/jobs/${finishedReconcile}`), 503, 'DEPENDENCY_UNAVAILABLE');
    await restartWorker('none');
    const rec = await admin().post('/api/v1/system/reconcile', {});
    assert.equal(rec.status, 202);
    const imp = await stack.api(a.token).post('/api/v1/mailboxes/import', { rows: [{ address: 'never@jobs-a.example', password: PW }] });
    assert.equal(imp.status, 202);
    const c1 = await admin().delete(`/api/v1/jobs/${rec.body.job.id}`);
    assert.equal(c1.status, 200, c1.text);
    assert.equal(c1.body.state, 'cancelled');
    assert.ok(c1.body.finished_at);
    const c2 = await stack.api(a.token).delete(`/api/v1/jobs/${imp.body.job.id}`);
    assert.equal(c2.status, 200, c2.text);
    assert.equal(c2.body.state, 'cancelled');
    expectError(await admin().delete(`/api/v1/jobs/${rec.body.job.id}`), 409, 'CONFLICT');
    assert.deepEqual(await redisKeysOf(QueueNames.Shared, imp.body.job.id), [], 'a cancelled import leaves no data in Redis');

    await stack.apps.get('worker')!.stop();
    await restartWorker();
    // Something the worker does run, queued after the cancelled ones: once it ends they had their chance.
    const probe = await admin().post('/api/v1/system/reconcile', {});
    await waitJob(stack.admin.apiKey, probe.body.job.id);
    for (const id of [rec.body.job.id, imp.body.job.id]) {
      const j = await admin().get(`/api/v1/jobs/${id}`);
      assert.equal(j.body.state, 'cancelled');
      assert.equal(j.body.started_at, null);
      assert.equal(j.body.attempts, 0);
    }
    assert.equal((await stack.api(a.token).get('/api/v1/mailboxes/never@jobs-a.example')).status, 404);
  });

  it('running the same import job data twice creates nothing twice; finished rows are skipped', async () => {
    const queues = new JobQueues(new JobStatusStore(stack.db), {
      redisUrl: stack.env.REDIS_URL!,
      databaseUrl: stack.db.url,
      nodeId: 'default',
      name: 'jobs-e2e',
    });
    try {
      const ctx = { tenant_id: a.tenantId, domain_allowlist: null, home_tenant_id: a.tenantId };
      // Sealed as the gateway seals them (the stack's apps share one MAILPLANE_SECRET_KEY).
      const box = new SecretBox(stack.env.MAILPLANE_SECRET_KEY!);
      const input = (row: number) => sealImportRow(box, row, `twice${row}@jobs-a.example`, { username: `twice${row}@jobs-a.example`, password: PW });
      const data: MailboxImportJobData = {
        ctx,
        rows: [input(1), input(2)],
        refused: [],
        done: [],
      };
      const run = async (d: MailboxImportJobData) => {
        const row = await queues.enqueue(JobNames.MailboxesImport, d, { tenantId: a.tenantId, createdBy: null });
        return waitJob(a.token, row.id);
      };
      const first = await run(data);
      assert.deepEqual(
        first.result.rows.map((r: Body) => r.status),
        ['created', 'created'],
      );
      const second = await run(data);
      assert.deepEqual(
        second.result.rows.map((r: Body) => [r.status, r.mailbox_id]),
        first.result.rows.map((r: Body) => ['exists', r.mailbox_id]),
      );
      // A retry's data carries the rows already done: they are reported as recorded, not sent again.
      const recorded = { row: 1, address: 'twice1@jobs-a.example', status: 'created' as const, mailbox_id: first.result.rows[0].mailbox_id };
      const third = await run({ ...data, rows: [...data.rows, input(3)], done: [recorded] });
      assert.deepEqual(
        third.result.rows.map((r: Body) => r.status),
        ['created', 'exists', 'created'],
      );
      assert.deepEqual(third.result.totals, { total: 3, created: 2, exists: 1, failed: 0 });
      const n = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailboxes WHERE address LIKE 'twice%'`);
      assert.equal(n[0].n, '3');
      // Invalid job data is permanent: failed at once, not retried.
      const bad = await queues.enqueue(JobNames.MailboxesImport, { rows: 'nope' }, { tenantId: a.tenantId, createdBy: null });
      const badDone = await waitJob(a.token, bad.id);
      assert.equal(badDone.state, 'failed');
      assert.equal(badDone.attempts, 1);
      assert.match(badDone.error, /no valid rows/);
    } finally {
      await queues.close();
    }
  });

  it('a worker killed mid-import: BullMQ retries the job, the retry skips finished rows and creates no duplicates', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ address: `bulk${String(i).padStart(2, '0')}@jobs-a.example`, password: PW }));
    const res = await stack.api(a.token).post('/api/v1/mailboxes/import', { rows });
    assert.equal(res.status, 202, res.text);
    const id = res.body.job.id;
    // Several rows done before the kill: were they sent again, they would come back as `exists`.
    let doneBefore = 0;
    await waitFor(
      'import under way',
      async () => {
        const [j] = await stack.db.query<{ progress: number }>(`SELECT progress FROM jobs WHERE id = $1`, [id]);
        doneBefore = Math.floor((j.progress / 99) * rows.length);
        return doneBefore >= 5;
      },
      20_000,
    );
    await stack.apps.get('worker')!.stop('SIGKILL');
    const [mid] = await stack.db.query<{ progress: number; state: string }>(`SELECT progress, state FROM jobs WHERE id = $1`, [id]);
    assert.equal(mid.state, 'active');
    assert.ok(mid.progress < 100, `killed before the end (progress ${mid.progress})`);
    await restartWorker();
    const done = await waitJob(a.token, id, ENDED, 60_000);
    assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.equal(done.attempts, 2, 'the second attempt finished it');
    assert.deepEqual(
      done.result.rows.map((r: Body) => r.row),
      rows.map((_, i) => i + 1),
    );
    assert.ok(done.result.rows.every((r: Body) => r.status === 'created' || r.status === 'exists'));
    assert.ok(doneBefore >= 5);
    assert.ok(done.result.totals.exists <= 1, `rows done before the kill were skipped, not re-sent (${done.result.totals.exists} exists)`);
    const n = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailboxes WHERE address LIKE 'bulk%'`);
    assert.equal(n[0].n, '60');
    const ids = new Set(done.result.rows.map((r: Body) => r.mailbox_id));
    assert.equal(ids.size, 60);
  });
});

describe('jobs while Redis is briefly down (e2e)', () => {
  let stack: TestStack;
  let redisPort: number;
  let redisProc: Proc | undefined;

  const startRedis = async () => {
    const p = new Proc(
      'redis',
      process.env.REDIS_SERVER_BIN ?? 'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      process.env,
    );
    redisProc = p;
    await waitFor('redis-server', async () => {
      if (!p.running) throw new Error(`redis-server exited: ${p.tail()}`);
      const r = new Redis({ port: redisPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        r.disconnect();
      }
    });
  };
  const waitJob = async (id: string): Promise<Body> => {
    let last: Body;
    await waitFor(
      `job ${id} ended`,
      async () => {
        last = (await stack.api(stack.admin.apiKey).get(`/api/v1/jobs/${id}`)).body;
        return ENDED.includes(last.state);
      },
      30_000,
    );
    return last;
  };

  before(async () => {
    redisPort = await freePort();
    await startRedis();
    stack = await TestStack.start('jobs_redis_down', { redisUrl: `redis://127.0.0.1:${redisPort}/0` });
    await waitFor('worker ready', async () => stack.apps.get('worker')!.running && (await stack.api().get('/health')).status === 200);
  });
  after(async () => {
    await stack?.stop();
    await redisProc?.stop();
  });

  it('the worker keeps running through an outage, enqueues answer 503 meanwhile, and jobs run again once Redis is back', async () => {
    const first = await stack.api(stack.admin.apiKey).post('/api/v1/system/reconcile', {});
    assert.equal(first.status, 202, first.text);
    assert.equal((await waitJob(first.body.job.id)).state, 'failed');

    await redisProc!.stop('SIGKILL');
    const started = Date.now();
    const during = await stack.api(stack.admin.apiKey).post('/api/v1/system/reconcile', {});
    const err = expectError(during, 503, 'DEPENDENCY_UNAVAILABLE');
    assert.match(err.detail, /Redis/);
    assert.ok(Date.now() - started < 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(stack.apps.get('worker')!.running, `worker exited during the outage:\n${stack.apps.get('worker')!.tail()}`);

    await startRedis();
    let after: Body;
    await waitFor('enqueue works again', async () => {
      const r = await stack.api(stack.admin.apiKey).post('/api/v1/system/reconcile', {});
      after = r.body;
      return r.status === 202;
    });
    const done = await waitJob(after.job.id);
    assert.equal(done.state, 'failed');
    assert.match(done.error, /no Postfix installed/);
    assert.ok(stack.apps.get('worker')!.running);
    // The job that could not be queued stays failed, even if its add reached Redis late.
    const [lost] = await stack.db.query<{ state: string; error: string; started_at: Date | null }>(
      `SELECT state, error, started_at FROM jobs WHERE type = 'reconcile' AND error LIKE 'The job could not be queued%'`,
    );
    assert.equal(lost.state, 'failed');
    assert.equal(lost.started_at, null);
  });
});
