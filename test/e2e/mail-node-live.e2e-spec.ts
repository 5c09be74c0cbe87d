import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { TestStack } from '../helpers/stack.js';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Queued {
  queue_name: string;
  queue_id: string;
  sender: string;
  recipients: { address: string; delay_reason?: string }[];
}

/** The real Postfix queue, straight from Postfix (not through the API). */
async function postqueue(): Promise<Queued[]> {
  const { stdout } = await exec('postqueue', ['-j']);
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Queued);
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      const log = await exec('tail', ['-n', '15', '/var/log/mail.log']).catch(() => ({ stdout: '' }));
      throw new Error(`timed out waiting for ${what}; mail.log ends with:\n${log.stdout}`);
    }
    await sleep(250);
  }
}

/**
 * Against this host's real Postfix, Dovecot and OpenDKIM (scripts/mailstack.sh). Other suites share
 * them: this suite only touches its own messages (never `DELETE /queue?confirm=true`) and leaves every
 * daemon running.
 */
describe('mail node against the real mail stack (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;
  const tag = randomBytes(4).toString('hex');
  const sender = `h4-${tag}@example.org`;
  const rcpt = `queue-${tag}@unreachable.invalid`;
  let queueId: string;

  const ours = async () => (await postqueue()).find((m) => m.recipients.some((r) => r.address === rcpt));

  before(async () => {
    const script = process.env.MAILSTACK_SCRIPT ?? join(REPO_ROOT, 'scripts/mailstack.sh');
    if (existsSync(script)) await exec('bash', [script], { env: process.env, timeout: 300_000 });
    await exec('postfix', ['status']); // fails the suite clearly when Postfix is not running
    stack = await TestStack.start('mail-node-live', { mailstack: true });
    admin = stack.api(stack.admin.apiKey);
  });
  after(async () => {
    // Whatever happened, leave every daemon running for the other suites.
    for (const name of ['postfix', 'dovecot', 'opendkim']) await admin?.post(`/api/v1/services/${name}/start`, {}).catch(() => undefined);
    await exec('postsuper', ['-d', queueId ?? 'ABCDEF0']).catch(() => undefined);
    await stack?.stop();
  });

  it('a message to an unreachable destination shows in the queue with its delay reason and headers', async () => {
    const message = `From: ${sender}\nTo: ${rcpt}\nSubject: queue test ${tag}\n\nhello\n`;
    await new Promise<void>((resolve, reject) => {
      const child = execFile('sendmail', ['-f', sender, rcpt], (err) => (err ? reject(err) : resolve()));
      child.stdin!.end(message);
    });
    // Generous: cleanup retries while a shared map (reconciled by other suites) is briefly unreachable.
    const m = await waitFor(
      'the message to be deferred',
      async () => {
        const q = await ours();
        return q?.queue_name === 'deferred' && q;
      },
      90_000,
    );
    queueId = m.queue_id;

    const summary = await admin.get('/api/v1/queue');
    assert.equal(summary.status, 200, summary.text);
    assert.ok(summary.body.queues.deferred >= 1);
    assert.equal(
      summary.body.total,
      Object.values(summary.body.queues as Record<string, number>).reduce((a, b) => a + b, 0),
    );

    const list = await admin.get(`/api/v1/queue/items?queue=deferred&sender=${encodeURIComponent(sender.toUpperCase())}&recipient=${tag}`);
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.meta, { page: 1, limit: 50, total: 1 });
    const item = list.body.data[0];
    assert.deepEqual([item.queue_id, item.queue_name, item.sender, item.recipients[0].address], [queueId, 'deferred', sender, rcpt]);
    assert.ok(item.message_size > 0);
    assert.ok(Math.abs(Date.parse(item.arrival_time) - Date.now()) < 120_000);
    assert.equal((await admin.get(`/api/v1/queue/items?queue=hold&recipient=${tag}`)).body.meta.total, 0);
    assert.equal((await admin.get(`/api/v1/queue/items?sender=nobody-${tag}`)).body.meta.total, 0);

    const one = await admin.get(`/api/v1/queue/items/${queueId}`);
    assert.equal(one.status, 200, one.text);
    assert.match(one.body.recipients[0].delay_reason, /127\.0\.0\.1.*:9|Connection refused/);
    assert.ok(
      one.body.headers.some((h: { name: string; value: string }) => h.name === 'Subject' && h.value === `queue test ${tag}`),
      JSON.stringify(one.body.headers),
    );
  });

  it('hold, release and requeue act on the real queue; the wrong state is 409', async () => {
    const hold = await admin.post(`/api/v1/queue/items/${queueId}/hold`, {});
    assert.equal(hold.status, 200, hold.text);
    assert.deepEqual(hold.body, { message: `queue item ${queueId} placed on hold`, queue_id: queueId, action: 'hold' });
    assert.equal((await ours())?.queue_name, 'hold');
    expectError(await admin.post(`/api/v1/queue/items/${queueId}/hold`, {}), 409, 'CONFLICT');
    assert.equal((await admin.get('/api/v1/queue')).body.queues.hold >= 1, true);

    const release = await admin.post(`/api/v1/queue/items/${queueId}/release`, {});
    assert.equal(release.status, 200, release.text);
    const released = await ours();
    assert.ok(released && released.queue_name !== 'hold', JSON.stringify(released));
    expectError(await admin.post(`/api/v1/queue/items/${queueId}/release`, {}), 409, 'CONFLICT');

    const requeue = await admin.post(`/api/v1/queue/items/${queueId}/requeue`, {});
    assert.equal(requeue.status, 200, requeue.text);
    assert.equal(requeue.body.action, 'requeue');
    // Requeued mail goes through pickup/cleanup again and ends up deferred once more (the ID may change).
    const again = await waitFor('the requeued message to be deferred again', async () => {
      const q = await ours();
      return q?.queue_name === 'deferred' && q;
    });
    queueId = again.queue_id;
  });

  it('flush works; DELETE /queue without confirm deletes nothing; delete of one item is real and then 404', async () => {
    const flush = await admin.post('/api/v1/queue/flush', {});
    assert.equal(flush.status, 200, flush.text);
    assert.ok(flush.body.queued >= 1);

    expectError(await admin.delete('/api/v1/queue'), 400, 'VALIDATION_FAILED');
    assert.ok(await ours(), 'still queued after an unconfirmed DELETE /queue');

    const current = await waitFor('the message to be out of the active queue', async () => {
      const q = await ours();
      return q && q.queue_name !== 'active' && q;
    });
    queueId = current.queue_id;
    const del = await admin.delete(`/api/v1/queue/items/${queueId}`);
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.body, { message: `queue item ${queueId} deleted`, queue_id: queueId, action: 'delete' });
    assert.equal(await ours(), undefined);
    expectError(await admin.delete(`/api/v1/queue/items/${queueId}`), 404, 'NOT_FOUND');
    expectError(await admin.get(`/api/v1/queue/items/${queueId}`), 404, 'NOT_FOUND');
    expectError(await admin.post(`/api/v1/queue/items/${queueId}/hold`, {}), 404, 'NOT_FOUND');
    expectError(await admin.post(`/api/v1/queue/items/${queueId}/requeue`, {}), 404, 'NOT_FOUND');
    expectError(await admin.get('/api/v1/queue/items/ALL'), 400, 'VALIDATION_FAILED');
  });

  it('/stats/mail counts the deferral from the real log; /stats sees the queue and the daemons', async () => {
    const mail = await admin.get('/api/v1/stats/mail');
    assert.equal(mail.status, 200, mail.text);
    assert.equal(mail.body.log_found, true);
    assert.ok(mail.body.last_hour.deferred >= 1, JSON.stringify(mail.body.last_hour));
    assert.ok(mail.body.last_hour.received >= 1, JSON.stringify(mail.body.last_hour));
    assert.ok(mail.body.last_24h.deferred >= mail.body.last_hour.deferred);
    assert.ok(mail.body.hourly[23].deferred >= 1);
    const log = readFileSync('/var/log/mail.log', 'utf8');
    assert.ok(log.includes(`to=<${rcpt}>`) && /status=deferred/.test(log), 'the real log has our deferral');

    const stats = await admin.get('/api/v1/stats');
    assert.equal(stats.status, 200, stats.text);
    assert.equal(typeof stats.body.queue_size, 'number');
    assert.ok(stats.body.queue_size >= 0);
    assert.deepEqual(stats.body.services, { healthy: 5, total: 5 });

    const about = await admin.get('/api/v1/system/about');
    const { stdout } = await exec('postconf', ['-h', 'mail_version']);
    assert.equal(about.body.daemons.postfix, stdout.trim());
    assert.match(about.body.daemons.dovecot, /^2\.\d+/);
    assert.match(about.body.daemons.opendkim, /^2\.\d+/);
    assert.match(about.body.daemons.rspamd, /^3\.\d+/);
    assert.match(about.body.daemons.clamd, /^1\.\d+/);
  });

  it('services: real status, postfix restart gives a new master, start while running changes nothing', async () => {
    const list = await admin.get('/api/v1/services');
    assert.equal(list.status, 200, list.text);
    for (const s of list.body.data) {
      assert.equal(s.installed, true, s.name);
      assert.equal(s.running, true, s.name);
      assert.ok(s.pid > 1 && s.version && s.uptime_seconds >= 0 && s.since, JSON.stringify(s));
    }
    const before = (await admin.get('/api/v1/services/postfix')).body;
    assert.equal(Number(readFileSync('/var/spool/postfix/pid/master.pid', 'utf8').trim()), before.pid);

    const restart = await admin.post('/api/v1/services/postfix/restart', {});
    assert.equal(restart.status, 200, restart.text);
    assert.equal(restart.body.changed, true);
    assert.equal(restart.body.service.running, true);
    assert.notEqual(restart.body.service.pid, before.pid);
    const after = (await admin.get('/api/v1/services/postfix')).body;
    assert.equal(after.pid, restart.body.service.pid);
    assert.equal(after.running, true);
    await exec('postfix', ['status']);
    assert.equal(Number(readFileSync('/var/spool/postfix/pid/master.pid', 'utf8').trim()), after.pid);

    const start = await admin.post('/api/v1/services/postfix/start', {});
    assert.equal(start.status, 200);
    assert.deepEqual([start.body.changed, start.body.service.pid, start.body.message], [false, after.pid, 'postfix was already running']);

    const dovecotBefore = (await admin.get('/api/v1/services/dovecot')).body;
    const reload = await admin.post('/api/v1/services/dovecot/reload', {});
    assert.equal(reload.status, 200, reload.text);
    assert.deepEqual([reload.body.changed, reload.body.service.running, reload.body.service.pid], [true, true, dovecotBefore.pid], 'reload keeps the master');
    const dovecotRestart = await admin.post('/api/v1/services/dovecot/restart', {});
    assert.equal(dovecotRestart.status, 200, dovecotRestart.text);
    assert.equal(dovecotRestart.body.service.running, true);
    assert.notEqual(dovecotRestart.body.service.pid, dovecotBefore.pid);
    assert.equal(Number(readFileSync('/run/dovecot/master.pid', 'utf8').trim()), dovecotRestart.body.service.pid);
  });

  it('opendkim: stop waits for the old process, stop again is idempotent, reload while stopped is 409, restart brings it back', async () => {
    const before = (await admin.get('/api/v1/services/opendkim')).body;
    assert.equal(before.running, true);
    try {
      const stop = await admin.post('/api/v1/services/opendkim/stop', {});
      assert.equal(stop.status, 200, stop.text);
      assert.deepEqual([stop.body.changed, stop.body.service.running, stop.body.service.pid], [true, false, null]);
      // Really gone (not a zombie): /proc has no live process for the old pid.
      const threads = existsSync(`/proc/${before.pid}/task`) ? readdirSync(`/proc/${before.pid}/task`) : [];
      for (const tid of threads) {
        const stat = existsSync(`/proc/${before.pid}/task/${tid}/stat`) ? readFileSync(`/proc/${before.pid}/task/${tid}/stat`, 'utf8') : '';
        assert.ok(!stat || /\) [ZX] /.test(stat), `old opendkim thread ${tid} still alive: ${stat}`);
      }
      const again = await admin.post('/api/v1/services/opendkim/stop', {});
      assert.deepEqual([again.status, again.body.changed, again.body.message], [200, false, 'opendkim was already stopped']);
      expectError(await admin.post('/api/v1/services/opendkim/reload', {}), 409, 'CONFLICT');
      assert.deepEqual((await admin.get('/api/v1/stats')).body.services, { healthy: 4, total: 5 });
    } finally {
      const restart = await admin.post('/api/v1/services/opendkim/restart', {});
      assert.equal(restart.status, 200, restart.text);
      assert.equal(restart.body.service.running, true);
      assert.notEqual(restart.body.service.pid, before.pid);
    }
    const restartRunning = await admin.post('/api/v1/services/opendkim/restart', {});
    assert.equal(restartRunning.status, 200, restartRunning.text);
    const pidNow = restartRunning.body.service.pid;
    assert.ok(pidNow > 1);
    await sleep(500);
    assert.deepEqual(
      [(await admin.get('/api/v1/services/opendkim')).body.running, (await admin.get('/api/v1/services/opendkim')).body.pid],
      [true, pidNow],
      'the new opendkim stays up',
    );
  });
});
