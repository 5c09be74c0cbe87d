import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiResponse } from '../helpers/api-client.js';
import { freePort } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

const PW = 'Str0ng-Passphrase!';

describe('mailboxes (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let b: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let domainA: { id: string; name: string };
  let healthPort: number;
  /** Every response body seen, to prove no password or hash ever leaves the service. */
  const seen: string[] = [];
  const api = (credential: string) => {
    const client = stack.api(credential);
    const keep = (p: Promise<ApiResponse>) => p.then((r) => (seen.push(r.text), r));
    return {
      get: (path: string) => keep(client.get(path)),
      post: (path: string, body?: unknown) => keep(client.post(path, body)),
      patch: (path: string, body?: unknown) => keep(client.patch(path, body)),
      delete: (path: string) => keep(client.delete(path)),
    };
  };

  before(async () => {
    healthPort = await freePort();
    stack = await TestStack.start('mailboxes', { logLevel: 'debug', mailboxServiceHealthPort: healthPort });
    a = await stack.tenantAdmin('mbx-a');
    b = await stack.tenantAdmin('mbx-b');
    const d = await stack.api(a.token).post('/api/v1/domains', { name: 'a-corp.example' });
    assert.equal(d.status, 201);
    domainA = d.body;
    assert.equal((await stack.api(b.token).post('/api/v1/domains', { name: 'b-corp.example' })).status, 201);
  });
  after(async () => {
    await stack?.stop();
  });

  const row = async (id: string) =>
    (
      await stack.db.query<{ address: string; password_hash: string; quota_bytes: string | null; active: boolean; name: string }>(
        `SELECT address, password_hash, quota_bytes, active, name FROM mailboxes WHERE id = $1`,
        [id],
      )
    )[0];

  it('mailbox-service answers the gateway’s /health and its own probes', async () => {
    assert.equal((await stack.api().get('/health')).body.details['mailbox-service'].status, 'up');
    const base = `http://127.0.0.1:${healthPort}`;
    assert.deepEqual(await (await fetch(`${base}/health/live`)).json(), { status: 'ok' });
    assert.equal((await fetch(`${base}/health/ready`)).status, 200);
  });

  it('full CRUD by UUID and by address, with database side effects', async () => {
    const created = await api(a.token).post('/api/v1/mailboxes', {
      username: 'Alice',
      domain: 'A-Corp.example',
      name: 'Alice A',
      password: PW,
      quota_bytes: 1_073_741_824,
    });
    assert.equal(created.status, 201, created.text);
    const m = created.body;
    assert.equal(created.headers.get('location'), `/api/v1/mailboxes/${m.id}`);
    assert.deepEqual(
      {
        address: m.address,
        local_part: m.local_part,
        domain: m.domain,
        domain_id: m.domain_id,
        tenant_id: m.tenant_id,
        name: m.name,
        quota_bytes: m.quota_bytes,
        active: m.active,
      },
      {
        address: 'alice@a-corp.example',
        local_part: 'alice',
        domain: 'a-corp.example',
        domain_id: domainA.id,
        tenant_id: a.tenantId,
        name: 'Alice A',
        quota_bytes: 1_073_741_824,
        active: true,
      },
    );
    const r = await row(m.id);
    assert.equal(r.address, 'alice@a-corp.example');
    assert.match(r.password_hash, /^\{ARGON2ID\}\$argon2id\$v=19\$m=\d+,t=\d+,p=1\$/);
    assert.deepEqual(await stack.db.query(`SELECT owner_kind, owner_id FROM mail_addresses WHERE address = 'alice@a-corp.example'`), [
      { owner_kind: 'mailbox', owner_id: m.id },
    ]);

    const byId = await api(a.token).get(`/api/v1/mailboxes/${m.id}`);
    const byAddress = await api(a.token).get('/api/v1/mailboxes/ALICE@A-CORP.example');
    assert.equal(byId.status, 200);
    assert.deepEqual(byAddress.body, byId.body);

    const patched = await api(a.token).patch('/api/v1/mailboxes/alice@a-corp.example', { name: 'Alice B', quota_bytes: null, active: false });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.name, patched.body.quota_bytes, patched.body.active], ['Alice B', null, false]);
    assert.deepEqual(
      { ...(await row(m.id)), password_hash: undefined },
      { address: 'alice@a-corp.example', password_hash: undefined, quota_bytes: null, active: false, name: 'Alice B' },
    );

    const before = (await row(m.id)).password_hash;
    const pw = await api(a.token).patch(`/api/v1/mailboxes/${m.id}/password`, { password: 'An0ther-Secret!' });
    assert.equal(pw.status, 200, pw.text);
    assert.equal(pw.body.id, m.id);
    assert.notEqual((await row(m.id)).password_hash, before);

    const del = await api(a.token).delete(`/api/v1/mailboxes/${m.id}`);
    assert.deepEqual([del.status, del.body], [200, { message: 'mailbox deleted' }]);
    expectError(await api(a.token).get(`/api/v1/mailboxes/${m.id}`), 404, 'NOT_FOUND');
    expectError(await api(a.token).delete('/api/v1/mailboxes/alice@a-corp.example'), 404, 'NOT_FOUND');
    assert.equal((await stack.db.query(`SELECT 1 FROM mailboxes WHERE id = $1`, [m.id])).length, 0);
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address = 'alice@a-corp.example'`)).length, 0, 'the address is free again');
    assert.equal((await api(a.token).post('/api/v1/mailboxes', { username: 'alice', domain_id: domainA.id, password: PW })).status, 201);
  });

  it('the stored hash is one Dovecot verifies (doveadm pw -t)', async () => {
    const created = await api(a.token).post('/api/v1/mailboxes', { username: 'dove@a-corp.example', password: PW });
    assert.equal(created.status, 201, created.text);
    const hash = (await row(created.body.id)).password_hash;
    const out = execFileSync('doveadm', ['pw', '-t', hash, '-p', PW], { encoding: 'utf8' });
    assert.match(out, /\(verified\)/);
  });

  it('accepts the domain as domain_id, domain or in the username; they must agree', async () => {
    assert.equal((await api(a.token).post('/api/v1/mailboxes', { username: 'full@a-corp.example', domain_id: domainA.id, password: PW })).status, 201);
    const mismatch = expectError(
      await api(a.token).post('/api/v1/mailboxes', { username: 'x@b-corp.example', domain_id: domainA.id, password: PW }),
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(mismatch.fields?.[0].field, 'username');
    const none = expectError(await api(a.token).post('/api/v1/mailboxes', { username: 'nodomain', password: PW }), 400, 'VALIDATION_FAILED');
    assert.equal(none.fields?.[0].field, 'domain_id');
    expectError(await api(a.token).post('/api/v1/mailboxes', { username: 'x', domain: 'unknown.example', password: PW }), 404, 'NOT_FOUND');
  });

  it('validates the local part and changes nothing on failure', async () => {
    const count = async () => Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailboxes`))[0].n);
    const before = await count();
    const cases: [unknown, RegExp][] = [
      ['', /empty/],
      ['a'.repeat(65), /64 octets/],
      ['a/b', /@, \/, \\/],
      ['a\\b', /@, \/, \\/],
      ['a..b', /two dots/],
      ['.lead', /start or end/],
      ['trail.', /start or end/],
      ['sp ace', /only contain/],
      ['a@b@a-corp.example', /@/],
    ];
    for (const [username, rule] of cases) {
      const err = expectError(await api(a.token).post('/api/v1/mailboxes', { username, domain: 'a-corp.example', password: PW }), 400, 'VALIDATION_FAILED');
      assert.ok(
        err.fields?.some((f) => f.field === 'username' && rule.test(f.message)),
        `${JSON.stringify(username)}: ${JSON.stringify(err.fields)}`,
      );
    }
    const long = await stack.api(a.token).post('/api/v1/domains', { name: `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.example` });
    const tooLong = expectError(
      await api(a.token).post('/api/v1/mailboxes', { username: 'a'.repeat(64), domain_id: long.body.id, password: PW }),
      400,
      'VALIDATION_FAILED',
    );
    assert.match(tooLong.fields![0].message, /254 octets/);
    expectError(await api(a.token).post('/api/v1/mailboxes', { username: 'nul\u0000', domain: 'a-corp.example', password: PW }), 400, 'VALIDATION_FAILED');
    for (const body of [
      { username: 'x', domain: 'a-corp.example' },
      { username: 'x', domain: 'a-corp.example', password: PW, quota_bytes: -1 },
      { username: 'x', domain: 'a-corp.example', password: PW, active: 'yes' },
      { username: 'x', domain: 'a-corp.example', password: PW, password_hash: 'x' },
    ]) {
      expectError(await api(a.token).post('/api/v1/mailboxes', body), 400, 'VALIDATION_FAILED');
    }
    assert.equal(await count(), before);
  });

  it('enforces the password policy and names the rule', async () => {
    const cases: [string, RegExp][] = [
      ['Sh0rt!', /at least 10 characters.*min_length/],
      ['onlylowercaseletters', /at least 3 of.*min_classes/],
      ['Pw-Policy-User-1', /local part.*contains_local_part/],
    ];
    for (const [password, rule] of cases) {
      const err = expectError(
        await api(a.token).post('/api/v1/mailboxes', { username: 'policy-user', domain: 'a-corp.example', password }),
        400,
        'VALIDATION_FAILED',
      );
      assert.ok(
        err.fields?.some((f) => f.field === 'password' && rule.test(f.message)),
        JSON.stringify(err.fields),
      );
      assert.ok(!JSON.stringify(err).includes(password), 'the password is not echoed');
    }
    const m = await api(a.token).post('/api/v1/mailboxes', { username: 'policy-user', domain: 'a-corp.example', password: PW });
    assert.equal(m.status, 201);
    const err = expectError(await api(a.token).patch(`/api/v1/mailboxes/${m.body.id}/password`, { password: 'weak' }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(
      err.fields!.map((f) => /\((\w+)\)$/.exec(f.message)![1]),
      ['min_length', 'min_classes'],
    );
    expectError(await api(a.token).patch(`/api/v1/mailboxes/${m.body.id}/password`, {}), 400, 'VALIDATION_FAILED');
  });

  it('an address used by a mailbox or an alias is 409 CONFLICT', async () => {
    assert.equal((await api(a.token).post('/api/v1/mailboxes', { username: 'taken', domain: 'a-corp.example', password: PW })).status, 201);
    const dup = expectError(await api(a.token).post('/api/v1/mailboxes', { username: 'TAKEN', domain: 'a-corp.example', password: PW }), 409, 'CONFLICT');
    assert.match(dup.detail, /taken@a-corp\.example.*mailbox/);
    const alias = await stack.api(a.token).post('/api/v1/aliases', { source: 'sales@a-corp.example', destinations: ['taken@a-corp.example'] });
    assert.equal(alias.status, 201, alias.text);
    const byAlias = expectError(await api(a.token).post('/api/v1/mailboxes', { username: 'sales', domain: 'a-corp.example', password: PW }), 409, 'CONFLICT');
    assert.match(byAlias.detail, /alias/);
  });

  it('tenant isolation: tenant B cannot see, change, delete or create in tenant A’s domain', async () => {
    const m = await api(a.token).post('/api/v1/mailboxes', { username: 'private', domain: 'a-corp.example', password: PW });
    for (const ref of [m.body.id, 'private@a-corp.example']) {
      expectError(await api(b.token).get(`/api/v1/mailboxes/${ref}`), 404, 'NOT_FOUND');
      expectError(await api(b.token).patch(`/api/v1/mailboxes/${ref}`, { active: false }), 404, 'NOT_FOUND');
      expectError(await api(b.token).patch(`/api/v1/mailboxes/${ref}/password`, { password: 'Hij4cked-Password!' }), 404, 'NOT_FOUND');
      expectError(await api(b.token).delete(`/api/v1/mailboxes/${ref}`), 404, 'NOT_FOUND');
    }
    const err = expectError(await api(b.token).post('/api/v1/mailboxes', { username: 'intruder', domain: 'a-corp.example', password: PW }), 404, 'NOT_FOUND');
    assert.match(err.detail, /a-corp\.example/);
    expectError(await api(b.token).post('/api/v1/mailboxes', { username: 'intruder', domain_id: domainA.id, password: PW }), 404, 'NOT_FOUND');
    assert.equal((await api(b.token).get('/api/v1/mailboxes')).body.meta.total, 0);
    assert.equal((await row(m.body.id)).active, true);
    assert.equal((await api(stack.admin.apiKey).get(`/api/v1/mailboxes/${m.body.id}`)).status, 200, 'the platform admin sees every tenant');
  });

  it('scopes: missing scope is 403 INSUFFICIENT_SCOPE; a domain allow-list hides other domains', async () => {
    const ro = await stack.api(a.token).post('/api/v1/api-keys', { name: 'mbx-ro', scopes: ['mailboxes:read'] });
    const none = await stack.api(a.token).post('/api/v1/api-keys', { name: 'mbx-none', scopes: ['domains:read'] });
    expectError(await api(none.body.key).get('/api/v1/mailboxes'), 403, 'INSUFFICIENT_SCOPE');
    assert.equal((await api(ro.body.key).get('/api/v1/mailboxes')).status, 200);
    expectError(await api(ro.body.key).post('/api/v1/mailboxes', { username: 'ro', domain: 'a-corp.example', password: PW }), 403, 'INSUFFICIENT_SCOPE');
    expectError(await api(ro.body.key).patch('/api/v1/mailboxes/taken@a-corp.example/password', { password: PW }), 403, 'INSUFFICIENT_SCOPE');
    expectError(await api(ro.body.key).delete('/api/v1/mailboxes/taken@a-corp.example'), 403, 'INSUFFICIENT_SCOPE');
    assert.equal((await stack.api(a.token).post('/api/v1/domains', { name: 'other-a.example' })).status, 201);
    const limited = await stack
      .api(a.token)
      .post('/api/v1/api-keys', { name: 'mbx-limited', scopes: ['mailboxes:write'], domain_allowlist: ['other-a.example'] });
    expectError(await api(limited.body.key).get('/api/v1/mailboxes/taken@a-corp.example'), 404, 'NOT_FOUND');
    expectError(await api(limited.body.key).post('/api/v1/mailboxes', { username: 'x', domain: 'a-corp.example', password: PW }), 404, 'NOT_FOUND');
    assert.equal((await api(limited.body.key).post('/api/v1/mailboxes', { username: 'x', domain: 'other-a.example', password: PW })).status, 201);
    const list = await api(limited.body.key).get('/api/v1/mailboxes');
    assert.deepEqual(
      list.body.data.map((m: { address: string }) => m.address),
      ['x@other-a.example'],
    );
  });

  it('paginates, sorts, searches and filters', async () => {
    const d = await stack.api(a.token).post('/api/v1/domains', { name: 'list-a.example' });
    const names = Array.from({ length: 12 }, (_, i) => `user${String(i).padStart(2, '0')}`);
    for (const [i, username] of names.entries()) {
      const res = await api(a.token).post('/api/v1/mailboxes', {
        username,
        domain_id: d.body.id,
        password: PW,
        active: i % 3 !== 0,
        quota_bytes: (12 - i) * 1000,
      });
      assert.equal(res.status, 201, res.text);
    }
    const addr = (r: ApiResponse) => r.body.data.map((m: { address: string }) => m.address.split('@')[0]);
    const p1 = await api(a.token).get('/api/v1/mailboxes?domain=list-a.example&limit=5');
    assert.deepEqual(p1.body.meta, { page: 1, limit: 5, total: 12 });
    assert.deepEqual(addr(p1), names.slice(0, 5));
    assert.deepEqual(addr(await api(a.token).get(`/api/v1/mailboxes?domain=${d.body.id}&limit=5&page=3`)), names.slice(10));
    assert.deepEqual(addr(await api(a.token).get('/api/v1/mailboxes?domain=list-a.example&sort=quota_bytes&order=asc&limit=2')), ['user11', 'user10']);
    assert.deepEqual(addr(await api(a.token).get('/api/v1/mailboxes?domain=list-a.example&sort=address&order=desc&limit=1')), ['user11']);
    const inactive = await api(a.token).get('/api/v1/mailboxes?domain=list-a.example&active=false');
    assert.equal(inactive.body.meta.total, 4);
    assert.deepEqual(addr(await api(a.token).get('/api/v1/mailboxes?search=USER0&domain=list-a.example&limit=2')), ['user00', 'user01']);
    assert.equal((await api(a.token).get('/api/v1/mailboxes?search=%25')).body.meta.total, 0);
    assert.equal((await api(a.token).get('/api/v1/mailboxes?domain=nope.example')).body.meta.total, 0);
    for (const q of ['sort=password_hash', 'order=up', 'limit=0', 'limit=501', 'page=0', 'active=maybe', 'colour=red']) {
      expectError(await api(a.token).get(`/api/v1/mailboxes?${q}`), 400, 'VALIDATION_FAILED');
    }
  });

  it('PATCH validates and needs at least one field', async () => {
    for (const body of [{}, { quota_bytes: -5 }, { active: 'no' }, { address: 'new@a-corp.example' }, { password: PW }, { name: null }]) {
      expectError(await api(a.token).patch('/api/v1/mailboxes/taken@a-corp.example', body), 400, 'VALIDATION_FAILED');
    }
    expectError(await api(a.token).patch('/api/v1/mailboxes/nobody@a-corp.example', { active: false }), 404, 'NOT_FOUND');
  });

  it('domain delete: 409 while mailboxes or aliases exist; cascade=true has mailbox-service (their owner) remove them, and nothing goes while it is down', async () => {
    const d = (await stack.api(a.token).post('/api/v1/domains', { name: 'doomed.example' })).body;
    const m = await api(a.token).post('/api/v1/mailboxes', { username: 'one', domain_id: d.id, password: PW });
    await api(a.token).post('/api/v1/mailboxes', { username: 'two', domain_id: d.id, password: PW });
    assert.equal((await stack.api(a.token).post('/api/v1/aliases', { source: 'al@doomed.example', destinations: ['one@doomed.example'] })).status, 201);
    assert.equal((await stack.api(a.token).post('/api/v1/aliases', { source: '@doomed.example', destinations: ['two@doomed.example'] })).status, 201);
    await stack.db.query(`INSERT INTO mailbox_overrides (mailbox_id, settings) VALUES ($1, '{}')`, [m.body.id]);
    const err = expectError(await stack.api(a.token).delete('/api/v1/domains/doomed.example'), 409, 'CONFLICT');
    assert.match(err.detail, /2 mailbox\(es\) and 2 alias\(es\).*cascade=true/);
    expectError(await stack.api(a.token).delete('/api/v1/domains/doomed.example?cascade=false'), 409, 'CONFLICT');
    expectError(await stack.api(a.token).delete('/api/v1/domains/doomed.example?cascade=yes'), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(b.token).delete('/api/v1/domains/doomed.example?cascade=true'), 404, 'NOT_FOUND');
    // A cascade deletes mailboxes and aliases: a key with only domains:write may not do it.
    const domainsOnly = await stack.api(a.token).post('/api/v1/api-keys', { name: 'domains only', scopes: ['domains:write'] });
    const refused = expectError(await stack.api(domainsOnly.body.key).delete('/api/v1/domains/doomed.example?cascade=true'), 403, 'INSUFFICIENT_SCOPE');
    assert.match(refused.detail, /mailboxes:write, aliases:write/);
    assert.equal((await api(a.token).get('/api/v1/mailboxes?domain=doomed.example')).body.meta.total, 2, 'nothing was deleted');
    await stack.mailboxService.stop();
    try {
      expectError(await stack.api(a.token).delete(`/api/v1/domains/${d.id}?cascade=true`), 503, 'DEPENDENCY_UNAVAILABLE');
      assert.equal((await stack.db.query(`SELECT 1 FROM mailboxes WHERE domain_id = $1`, [d.id])).length, 2, 'domain-service deleted no mailbox itself');
      assert.equal((await stack.db.query(`SELECT 1 FROM domains WHERE id = $1`, [d.id])).length, 1);
    } finally {
      await stack.startMailboxService();
    }
    const del = await stack.api(a.token).delete(`/api/v1/domains/${d.id}?cascade=true`);
    assert.deepEqual([del.status, del.body], [200, { message: 'domain deleted' }]);
    for (const [sql, params] of [
      [`SELECT 1 FROM domains WHERE id = $1`, [d.id]],
      [`SELECT 1 FROM mailboxes WHERE domain_id = $1`, [d.id]],
      [`SELECT 1 FROM aliases WHERE domain_id = $1`, [d.id]],
      [`SELECT 1 FROM mailbox_overrides WHERE mailbox_id = $1`, [m.body.id]],
      [`SELECT 1 FROM mail_addresses WHERE address LIKE '%@doomed.example'`, []],
    ] as [string, unknown[]][]) {
      assert.equal((await stack.db.query(sql, params)).length, 0, sql);
    }
    // An empty domain still deletes without cascade.
    await stack.api(a.token).post('/api/v1/domains', { name: 'empty-doomed.example' });
    assert.equal((await stack.api(a.token).delete('/api/v1/domains/empty-doomed.example')).status, 200);
  });

  it('never returns or echoes a password or its hash', async () => {
    const hashes = (await stack.db.query<{ password_hash: string }>(`SELECT password_hash FROM mailboxes`)).map((r) => r.password_hash);
    assert.ok(seen.length > 50);
    for (const text of seen) {
      assert.ok(!/"password_hash":"|\{ARGON2ID\}|\$argon2id\$/.test(text), `a hash leaked: ${text.slice(0, 200)}`);
      assert.ok(!text.includes(PW) && !text.includes('An0ther-Secret!'), `a password leaked: ${text.slice(0, 200)}`);
      for (const h of hashes) assert.ok(!text.includes(h));
    }
    const logs = stack.mailboxService.output.join('') + stack.gateway.output.join('');
    assert.ok(!logs.includes(PW), 'a password reached the logs');
  });
});
