import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { AUDIT_PURGE_LOCK, purgeExpiredAudit } from '../../apps/gateway/src/identity/audit/audit.repository.js';
import { expectError } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

type Entry = {
  id: string;
  occurred_at: string;
  tenant_id: string | null;
  ip: string;
  user_agent: string | null;
  method: string;
  path: string;
  action: string;
  resource: string;
  resource_id: string | null;
  request_id: string | null;
  actor: { type: string; account_id: string | null; email: string | null; api_key_id: string | null; api_key_name: string | null };
  outcome: { status: number; error_code: string | null };
  changes: Record<string, any> | null;
  before: Record<string, any> | null;
  after: Record<string, any> | null;
  diff: Record<string, { before: unknown; after: unknown }> | null;
};

const UA = { 'user-agent': 'audit-e2e/1.0' };
const PW = 'Mailbox-Pass-9f8e7d6c';

describe('audit log (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let b: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let aKeyId: string;

  /** Entries are written after the response: poll until the predicate holds. */
  async function waitFor(credential: string, query: string, ok: (e: Entry[]) => boolean): Promise<Entry[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const res = await stack.api(credential).get(`/api/v1/audit-log?${query}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      if (ok(res.body.data)) return res.body.data;
      if (Date.now() > deadline) assert.fail(`audit entries for ${query} never matched: ${JSON.stringify(res.body.data, null, 1)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    stack = await TestStack.start('audit');
    a = await stack.tenantAdmin('audit-a');
    b = await stack.tenantAdmin('audit-b');
    aKeyId =
      (await stack.api(a.apiKey).get('/api/v1/auth/me')).body.api_key_id ??
      (await stack.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE name = 'audit-a key'`))[0].id;
  });
  after(async () => {
    await stack?.stop();
  });

  it('domain create, update and delete are recorded with actor, tenant, ip, agent, action, resource and outcome', async () => {
    const created = await stack.api(a.apiKey).post('/api/v1/domains', { name: 'audited.example' }, UA);
    assert.equal(created.status, 201);
    assert.equal((await stack.api(a.apiKey).patch('/api/v1/domains/audited.example', { active: false }, UA)).status, 200);
    assert.equal((await stack.api(a.apiKey).delete('/api/v1/domains/audited.example', UA)).status, 200);

    const entries = await waitFor(a.token, 'resource=domains&order=asc', (e) => e.filter((x) => x.outcome.status < 300).length >= 3);
    const [c, u, d] = entries.filter((x) => x.outcome.status < 300);
    assert.deepEqual([c.action, u.action, d.action], ['domains.create', 'domains.update', 'domains.delete']);
    assert.deepEqual([c.method, u.method, d.method], ['POST', 'PATCH', 'DELETE']);
    assert.deepEqual([c.path, d.path], ['/api/v1/domains', '/api/v1/domains/audited.example']);
    for (const e of [c, u, d]) {
      assert.equal(e.tenant_id, a.tenantId);
      assert.equal(e.actor.type, 'api_key');
      assert.equal(e.actor.api_key_id, aKeyId);
      assert.equal(e.actor.api_key_name, 'audit-a key');
      assert.equal(e.actor.email, a.email);
      assert.match(e.actor.account_id ?? '', /^[0-9a-f-]{36}$/);
      assert.match(e.ip, /^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
      assert.equal(e.user_agent, 'audit-e2e/1.0');
      assert.equal(e.resource, 'domains');
      assert.equal(e.outcome.error_code, null);
      assert.match(e.request_id ?? '', /.+/);
    }
    assert.equal(c.outcome.status, 201);
    assert.equal(c.resource_id, created.body.id);
    assert.deepEqual(c.changes, { name: 'audited.example' });
    assert.equal(c.after?.name, 'audited.example');
    assert.equal(c.after?.id, created.body.id);
    assert.equal(u.resource_id, created.body.id, 'the id from the response');
    assert.deepEqual(u.changes, { active: false });
    assert.equal(u.after?.active, false);
    assert.equal(u.before?.active, true, 'the state before the PATCH');
    assert.deepEqual(u.diff?.active, { before: true, after: false });
    assert.equal(c.before, null, 'a create has no before');
    assert.equal(c.diff, null);
    assert.equal(d.resource_id, created.body.id, 'a delete is filed under the object’s id (from its before-state), not the name in the URL');
    assert.equal(d.changes, null);
    assert.equal(d.before?.name, 'audited.example');
    assert.equal(d.before?.active, false);
    assert.equal(d.after, null);
    assert.equal(d.diff, null);
  });

  it('before, after and diff: the object’s state around each kind of write, read as the caller, secrets removed', async () => {
    // The before-state is read as the writing key (mailboxes:write implies mailboxes:read).
    assert.equal((await stack.api(a.apiKey).post('/api/v1/domains', { name: 'diff.example' })).status, 201);
    const writer = await stack.api(a.token).post('/api/v1/api-keys', { name: 'mailbox writer 2', scopes: ['mailboxes:write'] });
    assert.equal(writer.status, 201);
    const mb = await stack.api(a.token).post('/api/v1/mailboxes', { username: 'carol', domain: 'diff.example', password: PW });
    assert.equal(mb.status, 201, JSON.stringify(mb.body));
    const patched = await stack.api(writer.body.key).patch('/api/v1/mailboxes/carol@diff.example', { quota_bytes: 2 * 1024 ** 3, name: 'Carol' });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const NEW_PW = 'Another-Pass-1a2b3c4d';
    assert.equal((await stack.api(writer.body.key).patch('/api/v1/mailboxes/carol@diff.example/password', { password: NEW_PW })).status, 200);

    const [upd] = await waitFor(a.token, `action=mailboxes.update&resource_id=${mb.body.id}`, (x) => x.length === 1);
    assert.equal(upd.before?.quota_bytes, mb.body.quota_bytes);
    assert.equal(upd.after?.quota_bytes, 2 * 1024 ** 3);
    assert.deepEqual(upd.diff?.quota_bytes, { before: mb.body.quota_bytes, after: 2 * 1024 ** 3 });
    assert.deepEqual(upd.diff?.name, { before: mb.body.name ?? null, after: 'Carol' });
    assert.equal(upd.diff?.address, undefined, 'unchanged fields are not in the diff');
    assert.equal(upd.diff?.id, undefined);

    // The password change's response is not the mailbox: its after-state is read back.
    const [pw] = await waitFor(a.token, 'action=mailboxes.password.update', (x) => x.length === 1);
    assert.equal(pw.resource_id, mb.body.id);
    assert.equal(pw.before?.address, 'carol@diff.example');
    assert.equal(pw.after?.address, 'carol@diff.example');
    assert.equal(pw.changes?.password, '[REDACTED]');
    assert.ok(pw.diff && !('password' in pw.diff) && !('password_hash' in pw.diff));
    for (const secret of [PW, NEW_PW]) {
      const rows = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE audit_log::text LIKE '%' || $1 || '%'`, [secret]);
      assert.equal(rows[0].n, '0');
    }

    // Rotating a key: same id, before and after both read, the new secret nowhere.
    const rotated = await stack.api(a.token).post(`/api/v1/api-keys/${writer.body.id}/rotate`, {});
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    const [rot] = await waitFor(a.token, `action=api_keys.rotate&resource_id=${writer.body.id}`, (x) => x.length === 1);
    assert.equal(rot.before?.id, writer.body.id);
    assert.equal(rot.after?.id, writer.body.id);
    assert.ok(rot.diff && Object.keys(rot.diff).length > 0, `rotation changes the key’s visible state: ${JSON.stringify(rot.diff)}`);
    assert.ok(!JSON.stringify(rot).includes(rotated.body.key));
    assert.ok(!JSON.stringify(rot).includes(writer.body.key));

    // Another tenant's object: 404, and its entry holds nothing of A's object.
    expectError(await stack.api(b.token).patch('/api/v1/mailboxes/carol@diff.example', { name: 'Mallory' }), 404, 'NOT_FOUND');
    const [bTry] = await waitFor(b.token, 'action=mailboxes.update', (x) => x.length === 1);
    assert.equal(bTry.before, null);
    assert.equal(bTry.after, null);
    assert.ok(!JSON.stringify(bTry).includes(mb.body.id));
    // The state reads are RPCs behind the write, not requests of their own: nothing else was audited.
    const reads = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE method = 'GET'`);
    assert.equal(reads[0].n, '0');
  });

  it('reads the before/after state over the owning service’s RPC, never as a further HTTP request through the gateway', async () => {
    // A gateway that logs every HTTP request it serves: an audited write must be its only request.
    const gw = await stack.startGateway('gateway-audit-access-log', { LOG_LEVEL: 'info' });
    try {
      assert.equal((await gw.api(a.apiKey).post('/api/v1/domains', { name: 'rpc-state.example' })).status, 201);
      const patched = await gw.api(a.apiKey).patch('/api/v1/domains/rpc-state.example', { active: false }, UA);
      assert.equal(patched.status, 200, patched.text);
      const rotated = await gw.api(a.token).post(`/api/v1/api-keys/${aKeyId}/rotate`, {});
      assert.equal(rotated.status, 200, rotated.text);
      const [upd] = await waitFor(a.token, 'action=domains.update&resource_id=' + patched.body.id, (x) => x.length === 1);
      assert.equal(upd.before?.active, true);
      assert.equal(upd.after?.active, false);
      const [rot] = await waitFor(a.token, `action=api_keys.rotate&resource_id=${aKeyId}`, (x) => x.some((e) => e.before !== null && e.after !== null));
      assert.ok(rot.before && rot.after);
      const served = gw.proc.output
        .join('')
        .split('\n')
        .filter((l) => l.includes('request completed'))
        .map((l) => JSON.parse(l) as { req: { method: string; url: string } })
        .map((l) => `${l.req.method} ${l.req.url}`)
        .filter((l) => !l.includes('/health'));
      assert.deepEqual(served, ['POST /api/v1/domains', 'PATCH /api/v1/domains/rpc-state.example', `POST /api/v1/api-keys/${aKeyId}/rotate`]);
      a.apiKey = rotated.body.key;
    } finally {
      await gw.proc.stop();
    }
  });

  it('a failed validation (400) is recorded with its error code and changes nothing', async () => {
    const res = await stack.api(a.apiKey).post('/api/v1/domains', { name: 'not a domain!' }, UA);
    expectError(res, 400, 'VALIDATION_FAILED');
    const entries = await waitFor(a.token, 'action=domains.create', (x) => x.some((y) => y.outcome.status === 400));
    const failed = entries.find((y) => y.outcome.status === 400)!;
    assert.equal(Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM domains WHERE name = 'not a domain!'`))[0].n), 0);
    assert.deepEqual(failed.outcome, { status: 400, error_code: 'VALIDATION_FAILED' });
    assert.deepEqual(failed.changes, { name: 'not a domain!' });
    assert.equal(failed.after, null);
    assert.equal(failed.resource_id, null);
    assert.equal(failed.actor.api_key_id, aKeyId);
  });

  it('a failed login is recorded as anonymous with the e-mail tried, in the account’s tenant, password redacted', async () => {
    expectError(await stack.api().post('/api/v1/auth/login', { email: a.email, password: 'wrong-password-123' }, UA), 401, 'UNAUTHORIZED');
    const entries = await waitFor(a.token, 'action=auth.login', (x) => x.some((y) => y.outcome.status === 401));
    const e = entries.find((y) => y.outcome.status === 401)!;
    assert.equal(e.actor.type, 'anonymous');
    assert.equal(e.actor.email, a.email);
    assert.equal(e.tenant_id, a.tenantId);
    assert.equal(e.outcome.error_code, 'UNAUTHORIZED');
    assert.equal(e.resource, 'auth');
    assert.deepEqual(e.changes, { email: a.email, password: '[REDACTED]' });
    assert.equal(e.user_agent, 'audit-e2e/1.0');
    // The successful login of tenantAdmin() is there too, and its tokens are not.
    const okLogin = entries.find((y) => y.outcome.status === 200)!;
    assert.ok(okLogin, 'successful login recorded');
    assert.equal(okLogin.after?.access_token, '[REDACTED]');
    assert.equal(okLogin.after?.refresh_token, '[REDACTED]');
    const rows = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE audit_log::text LIKE '%wrong-password-123%'`);
    assert.equal(rows[0].n, '0');
  });

  it('a mailbox create’s entry has no password anywhere', async () => {
    assert.equal((await stack.api(a.apiKey).post('/api/v1/domains', { name: 'mbx-audit.example' })).status, 201);
    const key = await stack.api(a.token).post('/api/v1/api-keys', { name: 'mailbox writer', scopes: ['mailboxes:write'] });
    assert.equal(key.status, 201);
    const mb = await stack.api(key.body.key).post('/api/v1/mailboxes', { username: 'bob', domain: 'mbx-audit.example', password: PW });
    assert.equal(mb.status, 201, JSON.stringify(mb.body));
    const [e] = await waitFor(a.token, `action=mailboxes.create&resource_id=${mb.body.id}`, (x) => x.length === 1);
    assert.equal(e.changes?.password, '[REDACTED]');
    assert.equal(e.changes?.username, 'bob');
    assert.equal(e.resource_id, mb.body.id);
    assert.ok(!JSON.stringify(e).includes(PW));
    const rows = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE audit_log::text LIKE '%' || $1 || '%'`, [PW]);
    assert.equal(rows[0].n, '0');
  });

  it('an API key create’s entry has no key, and a revoke is recorded', async () => {
    const key = await stack.api(a.token).post('/api/v1/api-keys', { name: 'secret holder', scopes: ['domains:read'] });
    assert.equal(key.status, 201);
    const secret = key.body.key as string;
    assert.equal((await stack.api(a.token).delete(`/api/v1/api-keys/${key.body.id}`)).status, 200);
    const entries = await waitFor(a.token, `resource=api_keys&resource_id=${key.body.id}&order=asc`, (x) => x.length === 2);
    assert.deepEqual(
      entries.map((e) => e.action),
      ['api_keys.create', 'api_keys.delete'],
    );
    assert.equal(entries[0].actor.type, 'account');
    assert.equal(entries[0].actor.email, a.email);
    assert.equal(entries[0].after?.key, '[REDACTED]');
    assert.equal(entries[0].after?.name, 'secret holder');
    assert.ok(!JSON.stringify(entries).includes(secret));
    const tail = secret.slice(-16);
    const rows = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE audit_log::text LIKE '%' || $1 || '%'`, [tail]);
    assert.equal(rows[0].n, '0');
  });

  it('tenant B sees none of tenant A’s entries; the platform admin sees both and may filter by tenant', async () => {
    assert.equal((await stack.api(b.apiKey).post('/api/v1/domains', { name: 'b-audit.example' })).status, 201);
    const bEntries = await waitFor(b.token, 'limit=500', (x) => x.some((y) => y.action === 'domains.create'));
    assert.ok(bEntries.length > 0);
    assert.ok(
      bEntries.every((e) => e.tenant_id === b.tenantId),
      'only B’s tenant',
    );
    assert.ok(!JSON.stringify(bEntries).includes('audited.example'));
    const probe = await stack.api(b.token).get(`/api/v1/audit-log?tenant_id=${a.tenantId}`);
    assert.equal(probe.status, 200);
    assert.deepEqual(probe.body.data, []);

    const all = await stack.api(stack.admin.apiKey).get('/api/v1/audit-log?limit=500');
    const tenants = new Set((all.body.data as Entry[]).map((e) => e.tenant_id));
    assert.ok(tenants.has(a.tenantId) && tenants.has(b.tenantId));
    const onlyA = await stack.api(stack.admin.apiKey).get(`/api/v1/audit-log?tenant_id=${a.tenantId}&limit=500`);
    assert.ok(onlyA.body.data.length > 0);
    assert.ok((onlyA.body.data as Entry[]).every((e) => e.tenant_id === a.tenantId));
  });

  it('filters by actor, action prefix, resource, since/until, and paginates', async () => {
    const byKey = await stack.api(a.token).get(`/api/v1/audit-log?actor=${aKeyId}&limit=500`);
    assert.ok(byKey.body.data.length >= 4);
    assert.ok((byKey.body.data as Entry[]).every((e) => e.actor.api_key_id === aKeyId));
    const byEmail = await stack.api(a.token).get(`/api/v1/audit-log?actor=${encodeURIComponent(a.email.toUpperCase())}&limit=500`);
    assert.ok((byEmail.body.data as Entry[]).every((e) => e.actor.email === a.email));
    assert.ok(byEmail.body.data.length > byKey.body.data.length - 1);

    const prefix = await stack.api(a.token).get('/api/v1/audit-log?action=domains.&limit=500');
    assert.ok((prefix.body.data as Entry[]).every((e) => e.action.startsWith('domains.')));
    assert.ok(new Set((prefix.body.data as Entry[]).map((e) => e.action)).size >= 3);

    const all = (await stack.api(a.token).get('/api/v1/audit-log?limit=500')).body;
    const total = all.meta.total as number;
    assert.equal(all.data.length, total);
    assert.ok(total >= 8);
    const newestFirst = (all.data as Entry[]).map((e) => e.occurred_at);
    assert.deepEqual(newestFirst, [...newestFirst].sort().reverse());

    const p1 = (await stack.api(a.token).get('/api/v1/audit-log?limit=3&page=1')).body;
    const p2 = (await stack.api(a.token).get('/api/v1/audit-log?limit=3&page=2')).body;
    assert.deepEqual(p1.meta, { page: 1, limit: 3, total });
    assert.deepEqual(p2.meta, { page: 2, limit: 3, total });
    assert.deepEqual(
      [...p1.data, ...p2.data].map((e: Entry) => e.id),
      (all.data as Entry[]).slice(0, 6).map((e) => e.id),
    );
    const beyond = (await stack.api(a.token).get('/api/v1/audit-log?limit=3&page=999')).body;
    assert.deepEqual(beyond, { data: [], meta: { page: 999, limit: 3, total } });

    const future = await stack.api(a.token).get('/api/v1/audit-log?since=2999-01-01T00:00:00Z');
    assert.deepEqual(future.body.data, []);
    const past = await stack.api(a.token).get('/api/v1/audit-log?until=2000-01-01T00:00:00Z');
    assert.deepEqual(past.body.data, []);
    const mid = all.data[Math.floor(total / 2)] as Entry;
    const since = (await stack.api(a.token).get(`/api/v1/audit-log?since=${encodeURIComponent(mid.occurred_at)}&limit=500`)).body;
    assert.ok(since.data.length > 0 && since.data.length < total);
    assert.ok((since.data as Entry[]).every((e) => e.occurred_at >= mid.occurred_at));
  });

  it('bad filters are 400 VALIDATION_FAILED', async () => {
    for (const q of ['since=yesterday', 'until=2027-01-01', 'since=2027-13-01T00:00:00Z', 'tenant_id=nope', 'limit=0', 'page=x', 'order=sideways']) {
      const err = expectError(await stack.api(a.token).get(`/api/v1/audit-log?${q}`), 400, 'VALIDATION_FAILED');
      assert.equal(err.fields?.[0].field, q.split('=')[0], q);
    }
  });

  it('needs scope audit:read; a key with a domain allow-list sees only its own entries', async () => {
    const noScope = await stack.api(a.token).post('/api/v1/api-keys', { name: 'no audit', scopes: ['domains:read'] });
    expectError(await stack.api(noScope.body.key).get('/api/v1/audit-log'), 403, 'INSUFFICIENT_SCOPE');
    const reader = await stack.api(a.token).post('/api/v1/api-keys', { name: 'auditor', scopes: ['audit:read'] });
    assert.equal(reader.status, 201, JSON.stringify(reader.body));
    const res = await stack.api(reader.body.key).get('/api/v1/audit-log?limit=500');
    assert.equal(res.status, 200);
    assert.ok(res.body.meta.total >= 8);

    const restricted = await stack
      .api(a.token)
      .post('/api/v1/api-keys', { name: 'restricted', scopes: ['audit:read', 'domains:write'], domain_allowlist: ['r-audit.example'] });
    assert.equal(restricted.status, 201, JSON.stringify(restricted.body));
    assert.equal((await stack.api(restricted.body.key).post('/api/v1/domains', { name: 'other-audit.example' })).status, 403);
    const own = await waitFor(restricted.body.key, 'limit=500', (x) => x.length >= 1);
    assert.ok(own.every((e) => e.actor.api_key_id === restricted.body.id));
  });

  it('retention deletes entries older than the configured days, and only those', async () => {
    await stack.db.query(
      `INSERT INTO audit_log (occurred_at, tenant_id, actor_type, ip, method, path, action, resource, status)
       VALUES (now() - interval '400 days', $1, 'anonymous', '192.0.2.1', 'POST', '/api/v1/old', 'old.create', 'old', 201),
              (now() - interval '10 days', $1, 'anonymous', '192.0.2.1', 'POST', '/api/v1/recent', 'recent.create', 'recent', 201)`,
      [a.tenantId],
    );
    const before = Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log`))[0].n);
    assert.equal(await purgeExpiredAudit(stack.db, 365), 1);
    assert.deepEqual(await stack.db.query(`SELECT action FROM audit_log WHERE resource IN ('old', 'recent')`), [{ action: 'recent.create' }]);
    assert.equal(Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log`))[0].n), before - 1);
    assert.equal(await purgeExpiredAudit(stack.db, 5), 1, 'a shorter retention takes the 10-day-old entry too');
    assert.equal(await purgeExpiredAudit(stack.db, 5), 0);
  });

  it('only one replica purges at a time: while another holds the lock, nothing is deleted', async () => {
    await stack.db.query(
      `INSERT INTO audit_log (occurred_at, actor_type, ip, method, path, action, resource, status)
       VALUES (now() - interval '800 days', 'anonymous', '192.0.2.1', 'POST', '/api/v1/old', 'old.create', 'old', 201)`,
    );
    const other = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_PURGE_LOCK]);
      assert.equal(await purgeExpiredAudit(stack.db, 365), 0);
      await other.query('COMMIT');
      assert.equal(await purgeExpiredAudit(stack.db, 365), 1);
    } finally {
      await other.end();
    }
  });
});
