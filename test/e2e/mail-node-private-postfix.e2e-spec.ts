import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A private Postfix instance (own config dir, spool and log; no network listeners) for what must not
 * touch the shared daemons: clearing the whole queue, stopping Postfix, exact mail counters.
 */
describe('mail node against a private Postfix instance (e2e)', () => {
  const root = `/var/lib/mailplane-test-postfix-${randomBytes(3).toString('hex')}`;
  const conf = join(root, 'etc');
  const log = join(root, 'postfix.log');
  let stack: TestStack;
  let admin: ApiClient;

  const postfixUid = async () => Number((await exec('id', ['-u', 'postfix'])).stdout.trim());
  const queue = async () =>
    (await exec('postqueue', ['-c', conf, '-j'])).stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { queue_name: string; queue_id: string });
  const inject = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await new Promise<void>((resolve, reject) => {
        const child = execFile('sendmail', ['-C', conf, '-f', `s${i}@example.org`, `r${i}@unreachable.invalid`], (err) => (err ? reject(err) : resolve()));
        child.stdin!.end(`Subject: private ${i}\n\nbody\n`);
      });
    }
  };
  const waitFor = async (what: string, ok: () => Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}: ${existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-10).join('\n') : 'no log'}`);
      await sleep(200);
    }
  };

  before(async () => {
    assert.equal(userInfo().uid, 0, 'needs root (Postfix instance)');
    for (const d of ['etc', 'spool', 'data']) mkdirSync(join(root, d), { recursive: true });
    chownSync(join(root, 'data'), await postfixUid(), -1);
    writeFileSync(
      join(conf, 'main.cf'),
      [
        'compatibility_level = 3.6',
        `queue_directory = ${join(root, 'spool')}`,
        `data_directory = ${join(root, 'data')}`,
        'inet_interfaces = loopback-only',
        'inet_protocols = ipv4',
        // No smtpd or other network listener: this instance only takes mail from sendmail -C.
        'master_service_disable = inet',
        'myhostname = private.mailplane.test',
        'mydestination =',
        'default_transport = smtp:[127.0.0.1]:9',
        'relay_transport = smtp:[127.0.0.1]:9',
        `maillog_file = ${log}`,
        'syslog_name = postfix-private',
        '',
      ].join('\n'),
    );
    const masterCf = ['/etc/postfix/master.cf', '/usr/share/postfix/master.cf.dist'].find((f) => existsSync(f));
    assert.ok(masterCf, 'Postfix is installed (master.cf found)');
    writeFileSync(join(conf, 'master.cf'), readFileSync(masterCf, 'utf8'));
    await exec('postconf', ['-c', conf, '-F', '*/*/chroot = n']);
    await exec('postfix', ['-c', conf, 'start']);
    stack = await TestStack.start('mail-node-private', {
      mailstack: true,
      env: { POSTFIX_CONFIG_DIR: conf, MAIL_LOG_FILE: log, MAILSTACK_SERVICES: 'postfix' },
    });
    admin = stack.api(stack.admin.apiKey);
  });
  after(async () => {
    await stack?.stop();
    await exec('postfix', ['-c', conf, 'stop']).catch(() => undefined);
    await sleep(500);
    rmSync(root, { recursive: true, force: true });
  });

  it('counts exactly what the private log says', async () => {
    await inject(3);
    await waitFor('3 deferred messages', async () => (await queue()).filter((m) => m.queue_name === 'deferred').length === 3);
    const mail = await admin.get('/api/v1/stats/mail');
    assert.equal(mail.status, 200, mail.text);
    assert.equal(mail.body.log_file, log);
    assert.deepEqual(mail.body.last_hour, { sent: 0, received: 3, bounced: 0, deferred: 3, rejected: 0 });
    assert.deepEqual(mail.body.last_24h, mail.body.last_hour);
    assert.deepEqual({ ...mail.body.hourly[23], hour: undefined }, { ...mail.body.last_hour, hour: undefined });
    const summary = await admin.get('/api/v1/queue');
    assert.deepEqual(summary.body, { node: 'default', total: 3, queues: { active: 0, deferred: 3, hold: 0, incoming: 0, maildrop: 0 } });
    const page = await admin.get('/api/v1/queue/items?limit=2&page=2&sort=sender&order=desc');
    assert.deepEqual(page.body.meta, { page: 2, limit: 2, total: 3 });
    assert.deepEqual(
      page.body.data.map((m: { sender: string }) => m.sender),
      ['s0@example.org'],
    );
  });

  it('DELETE /queue?confirm=true deletes every message and says how many', async () => {
    expectError(await admin.delete('/api/v1/queue?confirm=1'), 400, 'VALIDATION_FAILED');
    assert.equal((await queue()).length, 3);
    const clear = await admin.delete('/api/v1/queue?confirm=true');
    assert.equal(clear.status, 200, clear.text);
    assert.deepEqual(clear.body, { message: 'queue cleared: 3 messages deleted', deleted: 3 });
    assert.deepEqual(await queue(), []);
    const again = await admin.delete('/api/v1/queue?confirm=true');
    assert.deepEqual(again.body, { message: 'queue cleared: 0 messages deleted', deleted: 0 });
  });

  it('stop really stops Postfix (flush is then 503), stop again changes nothing, start brings it back', async () => {
    const before = (await admin.get('/api/v1/services/postfix')).body;
    assert.equal(before.running, true);
    const stop = await admin.post('/api/v1/services/postfix/stop', {});
    assert.equal(stop.status, 200, stop.text);
    assert.deepEqual([stop.body.changed, stop.body.service.running, stop.body.service.pid], [true, false, null]);
    await assert.rejects(exec('postfix', ['-c', conf, 'status']), 'postfix status says stopped');
    const again = await admin.post('/api/v1/services/postfix/stop', {});
    assert.deepEqual([again.status, again.body.changed], [200, false]);
    expectError(await admin.post('/api/v1/services/postfix/reload', {}), 409, 'CONFLICT');
    const flush = expectError(await admin.post('/api/v1/queue/flush', {}), 503, 'DEPENDENCY_UNAVAILABLE');
    assert.match(flush.detail, /postqueue -f/);
    assert.deepEqual((await admin.get('/api/v1/stats')).body.services, { healthy: 0, total: 1 });

    const start = await admin.post('/api/v1/services/postfix/start', {});
    assert.equal(start.status, 200, start.text);
    assert.deepEqual([start.body.changed, start.body.service.running], [true, true]);
    assert.notEqual(start.body.service.pid, before.pid);
    await exec('postfix', ['-c', conf, 'status']);
    const reload = await admin.post('/api/v1/services/postfix/reload', {});
    assert.deepEqual([reload.status, reload.body.service.pid], [200, start.body.service.pid]);
    assert.equal((await admin.post('/api/v1/queue/flush', {})).status, 200);
  });
});
