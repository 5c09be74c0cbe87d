import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

/** The mail-node routes on a host with no mail stack (MAILSTACK_BIN_PATH points nowhere). */
describe('mail node without a mail stack (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;
  let adminToken: string;
  let log: string;

  before(async () => {
    log = `/nonexistent-mailplane-log-${process.pid}/mail.log`;
    stack = await TestStack.start('mail-node', { env: { MAIL_LOG_FILE: log } });
    admin = stack.api(stack.admin.apiKey);
    adminToken = (await stack.api().post('/api/v1/auth/login', { email: stack.admin.email, password: stack.admin.password })).body.access_token;
  });
  after(async () => {
    await stack?.stop();
  });

  const keyWith = async (scopes: string[], extra: Record<string, unknown> = {}) => {
    const res = await stack.api(adminToken).post('/api/v1/api-keys', { name: `k-${scopes.join('-')}-${Math.random()}`, scopes, ...extra });
    assert.equal(res.status, 201, res.text);
    return stack.api(res.body.key as string);
  };

  const missing = (res: Awaited<ReturnType<ApiClient['get']>>, program: RegExp) => {
    const err = expectError(res, 503, 'DEPENDENCY_UNAVAILABLE');
    assert.match(err.detail, program, err.detail);
  };

  it('queue routes answer 503 naming the missing Postfix program', async () => {
    missing(await admin.get('/api/v1/queue'), /postqueue was not found.*Postfix is not installed/);
    missing(await admin.get('/api/v1/queue/items?queue=deferred&sender=a&recipient=b'), /postqueue/);
    missing(await admin.get('/api/v1/queue/items/4F2A81C0D3'), /postqueue/);
    missing(await admin.post('/api/v1/queue/flush', {}), /postqueue/);
    missing(await admin.post('/api/v1/queue/items/4F2A81C0D3/hold', {}), /postqueue/);
    missing(await admin.post('/api/v1/queue/items/4F2A81C0D3/release', {}), /postqueue/);
    missing(await admin.post('/api/v1/queue/items/4bQ1Lf5Fdbz8Yj7/requeue', {}), /postqueue/);
    missing(await admin.delete('/api/v1/queue/items/4F2A81C0D3'), /postsuper/);
    missing(await admin.delete('/api/v1/queue?confirm=true'), /postsuper/);
  });

  it('bad input is a 400 before any command runs', async () => {
    for (const id of ['ALL', 'not-an-id', 'abcdef', '4F2A81C0D3x', '-d']) {
      const e = expectError(await admin.get(`/api/v1/queue/items/${encodeURIComponent(id)}`), 400, 'VALIDATION_FAILED');
      assert.deepEqual(
        e.fields?.map((f) => f.field),
        ['queueId'],
        id,
      );
      expectError(await admin.post(`/api/v1/queue/items/${encodeURIComponent(id)}/hold`, {}), 400, 'VALIDATION_FAILED');
      expectError(await admin.delete(`/api/v1/queue/items/${encodeURIComponent(id)}`), 400, 'VALIDATION_FAILED');
    }
    for (const q of ['', '?confirm=false', '?confirm=yes']) {
      const e = expectError(await admin.delete(`/api/v1/queue${q}`), 400, 'VALIDATION_FAILED');
      assert.deepEqual(
        e.fields?.map((f) => f.field),
        ['confirm'],
      );
    }
    expectError(await admin.get('/api/v1/queue/items?queue=bogus'), 400, 'VALIDATION_FAILED');
    expectError(await admin.get('/api/v1/queue/items?sort=password'), 400, 'VALIDATION_FAILED');
    expectError(await admin.get('/api/v1/queue/items?limit=501'), 400, 'VALIDATION_FAILED');
    const body = expectError(await admin.post('/api/v1/queue/flush', { now: true }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      body.fields?.map((f) => f.field),
      ['now'],
    );
    expectError(await admin.post('/api/v1/queue/flush'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await admin.post('/api/v1/services/postfix/restart', { force: 1 }), 400, 'VALIDATION_FAILED');
  });

  it('stats work without a mail stack: queue size null, no daemon healthy', async () => {
    const res = await admin.get('/api/v1/stats');
    assert.equal(res.status, 200, res.text);
    const s = res.body;
    assert.equal(s.node, 'default');
    assert.equal(s.queue_size, null);
    assert.deepEqual(s.services, { healthy: 0, total: 5 });
    assert.ok(s.cpu.cores >= 1 && s.cpu.usage_percent >= 0 && s.cpu.usage_percent <= 100, JSON.stringify(s.cpu));
    assert.ok(s.memory.total > 0 && s.memory.used > 0 && s.memory.used + s.memory.free === s.memory.total, JSON.stringify(s.memory));
    assert.ok(s.disk.total > 0 && s.disk.used >= 0 && s.disk.mount.startsWith('/'), JSON.stringify(s.disk));
    for (const k of ['1m', '5m', '15m']) assert.equal(typeof s.load[k], 'number');
    assert.ok(Date.now() - Date.parse(s.generated_at) < 60_000);
  });

  it('mail stats without a log file are all zero, with 24 hourly buckets', async () => {
    const res = await admin.get('/api/v1/stats/mail');
    assert.equal(res.status, 200, res.text);
    const zero = { sent: 0, received: 0, bounced: 0, deferred: 0, rejected: 0 };
    assert.equal(res.body.log_file, log);
    assert.equal(res.body.log_found, false);
    assert.deepEqual(res.body.last_hour, zero);
    assert.deepEqual(res.body.last_24h, zero);
    assert.equal(res.body.hourly.length, 24);
    for (const h of res.body.hourly) assert.deepEqual({ ...h, hour: undefined }, { ...zero, hour: undefined });
    const hours = res.body.hourly.map((h: { hour: string }) => Date.parse(h.hour));
    assert.equal(hours[23], Math.floor(Date.now() / 3_600_000) * 3_600_000);
    assert.ok(hours.every((t: number, i: number) => i === 0 || t - hours[i - 1] === 3_600_000));
  });

  it('services are listed as not installed; actions are 503 naming the program; unknown names 404', async () => {
    const list = await admin.get('/api/v1/services');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.body.data.map((s: Record<string, unknown>) => [s.name, s.installed, s.running, s.pid, s.version]),
      [
        ['postfix', false, false, null, null],
        ['dovecot', false, false, null, null],
        ['opendkim', false, false, null, null],
        ['rspamd', false, false, null, null],
        ['clamd', false, false, null, null],
      ],
    );
    const one = await admin.get('/api/v1/services/dovecot');
    assert.equal(one.status, 200);
    assert.equal(one.body.installed, false);
    for (const [name, program] of [
      ['postfix', /postfix.*Postfix/],
      ['dovecot', /dovecot.*Dovecot/],
      ['opendkim', /opendkim.*OpenDKIM/],
      ['rspamd', /rspamd.*Rspamd/],
      ['clamd', /clamd.*ClamAV/],
    ] as const) {
      for (const action of ['start', 'stop', 'restart', 'reload']) missing(await admin.post(`/api/v1/services/${name}/${action}`, {}), program);
    }
    expectError(await admin.get('/api/v1/services/sendmail'), 404, 'NOT_FOUND');
    expectError(await admin.post('/api/v1/services/sshd/restart', {}), 404, 'NOT_FOUND');
    expectError(await admin.post('/api/v1/services/postfix/explode', {}), 404, 'NOT_FOUND');
  });

  it('about names the versions and says "not installed" for the daemons', async () => {
    const res = await admin.get('/api/v1/system/about');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.name, 'mailplane');
    assert.match(res.body.version, /^\d+\.\d+\.\d+/);
    assert.equal(res.body.node_version, process.version);
    assert.ok(res.body.hostname && res.body.os && res.body.kernel);
    assert.deepEqual(res.body.daemons, {
      postfix: 'not installed',
      dovecot: 'not installed',
      opendkim: 'not installed',
      rspamd: 'not installed',
      clamd: 'not installed',
    });
  });

  it('is platform-only: tenant callers get 403 everywhere, even with every scope', async () => {
    const t = await stack.tenantAdmin('mailnode');
    const tenant = stack.api(t.token);
    for (const [method, path] of [
      ['GET', '/api/v1/queue'],
      ['GET', '/api/v1/queue/items'],
      ['GET', '/api/v1/queue/items/4F2A81C0D3'],
      ['POST', '/api/v1/queue/flush'],
      ['POST', '/api/v1/queue/items/4F2A81C0D3/hold'],
      ['DELETE', '/api/v1/queue/items/4F2A81C0D3'],
      ['DELETE', '/api/v1/queue?confirm=true'],
      ['GET', '/api/v1/stats'],
      ['GET', '/api/v1/stats/mail'],
      ['GET', '/api/v1/services'],
      ['GET', '/api/v1/services/postfix'],
      ['POST', '/api/v1/services/postfix/restart'],
      ['GET', '/api/v1/system/about'],
    ] as const) {
      const res = await tenant.request(method, path, method === 'POST' ? {} : undefined);
      expectError(res, 403, 'FORBIDDEN');
    }
    // A platform key limited to some domains may not act on the whole node either (the service checks it).
    const limited = await keyWith(['*'], { domain_allowlist: ['example.com'] });
    expectError(await limited.get('/api/v1/stats'), 403, 'FORBIDDEN');
    expectError(await limited.get('/api/v1/queue'), 403, 'FORBIDDEN');
  });

  it('needs the right scope: read for GET, write for actions', async () => {
    const statsOnly = await keyWith(['stats:read']);
    assert.equal((await statsOnly.get('/api/v1/stats')).status, 200);
    assert.equal((await statsOnly.get('/api/v1/stats/mail')).status, 200);
    expectError(await statsOnly.get('/api/v1/queue'), 403, 'INSUFFICIENT_SCOPE');
    expectError(await statsOnly.get('/api/v1/services'), 403, 'INSUFFICIENT_SCOPE');
    expectError(await statsOnly.get('/api/v1/system/about'), 403, 'INSUFFICIENT_SCOPE');

    const readers = await keyWith(['queue:read', 'services:read', 'system:read']);
    assert.equal((await readers.get('/api/v1/services')).status, 200);
    assert.equal((await readers.get('/api/v1/system/about')).status, 200);
    expectError(await readers.get('/api/v1/queue'), 503, 'DEPENDENCY_UNAVAILABLE');
    expectError(await readers.get('/api/v1/stats'), 403, 'INSUFFICIENT_SCOPE');
    expectError(await readers.post('/api/v1/queue/flush', {}), 403, 'INSUFFICIENT_SCOPE');
    expectError(await readers.delete('/api/v1/queue/items/4F2A81C0D3'), 403, 'INSUFFICIENT_SCOPE');
    expectError(await readers.delete('/api/v1/queue?confirm=true'), 403, 'INSUFFICIENT_SCOPE');
    expectError(await readers.post('/api/v1/services/postfix/reload', {}), 403, 'INSUFFICIENT_SCOPE');

    const writers = await keyWith(['queue:write', 'services:write']);
    expectError(await writers.post('/api/v1/queue/flush', {}), 503, 'DEPENDENCY_UNAVAILABLE');
    expectError(await writers.post('/api/v1/services/postfix/reload', {}), 503, 'DEPENDENCY_UNAVAILABLE');
    assert.equal((await writers.get('/api/v1/services/postfix')).status, 200, 'write implies read');
    expectError(await stack.api().get('/api/v1/stats'), 401, 'UNAUTHORIZED');
  });
});
