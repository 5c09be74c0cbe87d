import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

const PW = 'Str0ng-Passphrase!';
const PW2 = 'An0ther-Passphrase!';
const MBX_PW = 'Mailbox-Pass-123';

/** Accounts CRUD, domain delegation, own password change, logout and the login lockout. */
describe('accounts (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;
  let acme: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let other: Awaited<ReturnType<TestStack['tenantAdmin']>>;

  before(async () => {
    // A long auth cache: deactivation must still be immediate on this replica.
    stack = await TestStack.start('accounts', { authCacheTtlMs: 60_000 });
    admin = stack.api(stack.admin.apiKey);
    acme = await stack.tenantAdmin('acme');
    other = await stack.tenantAdmin('other');
    for (const name of ['one.example', 'two.example']) assert.equal((await stack.api(acme.token).post('/api/v1/domains', { name })).status, 201);
    assert.equal((await stack.api(other.token).post('/api/v1/domains', { name: 'foreign.example' })).status, 201);
    for (const domain of ['one.example', 'two.example']) {
      const m = await stack.api(acme.token).post('/api/v1/mailboxes', { username: 'info', domain, password: MBX_PW });
      assert.equal(m.status, 201, m.text);
    }
  });
  after(async () => {
    await stack?.stop();
  });

  const login = (email: string, password: string) => stack.api().post('/api/v1/auth/login', { email, password });
  const accountRow = async (email: string) => (await stack.db.query<Record<string, unknown>>(`SELECT * FROM accounts WHERE email = $1`, [email]))[0];
  const accountCount = async () => Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM accounts`))[0].n);

  it('creates, lists, gets, updates and deletes accounts; bad input is 400 and changes nothing', async () => {
    const api = stack.api(acme.token);
    const res = await api.post('/api/v1/accounts', { email: 'Ops@Acme.test', password: PW, role: 'tenant_admin' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), `/api/v1/accounts/${res.body.id}`);
    assert.equal(res.body.email, 'ops@acme.test');
    assert.equal(res.body.role, 'tenant_admin');
    assert.equal(res.body.tenant_id, acme.tenantId);
    assert.deepEqual(res.body.delegated_domains, []);
    assert.equal(res.body.password, undefined);
    assert.equal(res.body.password_hash, undefined);
    assert.equal((await login('ops@acme.test', PW)).status, 200);
    // Audited, with the password kept out of the entry.
    await sleep(200);
    const audit = await stack.db.query<{ changes: unknown; after: unknown }>(
      `SELECT changes, after FROM audit_log WHERE resource = 'accounts' AND method = 'POST' AND status = 201`,
    );
    assert.equal(audit.length, 1);
    assert.ok(!JSON.stringify(audit[0]).includes(PW), JSON.stringify(audit[0]));

    const before = await accountCount();
    const bad = [
      { email: 'weak@acme.test', password: 'short', role: 'tenant_admin' },
      { email: 'weak@acme.test', password: 'alllowercaseletters', role: 'tenant_admin' },
      { email: 'not-an-email', password: PW, role: 'tenant_admin' },
      { email: 'x@acme.test', password: PW, role: 'emperor' },
      { email: 'x@acme.test', password: PW, role: 'tenant_admin', delegated_domains: ['one.example'] },
    ];
    for (const body of bad) {
      const e = expectError(await api.post('/api/v1/accounts', body), 400, 'VALIDATION_FAILED');
      assert.ok(e.fields?.length, JSON.stringify(e));
    }
    expectError(await api.post('/api/v1/accounts', { email: 'OPS@acme.test', password: PW, role: 'tenant_admin' }), 409, 'CONFLICT');
    assert.equal(await accountCount(), before);

    const list = await api.get('/api/v1/accounts?sort=email');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.data.map((a: { email: string }) => a.email),
      ['acme-admin@mailplane.test', 'ops@acme.test'],
    );
    assert.equal(list.body.meta.total, 2);
    assert.equal((await api.get(`/api/v1/accounts/${res.body.id}`)).body.email, 'ops@acme.test');

    const patched = await api.patch(`/api/v1/accounts/${res.body.id}`, { email: 'ops2@acme.test' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.email, 'ops2@acme.test');
    expectError(await api.patch(`/api/v1/accounts/${res.body.id}`, {}), 400, 'VALIDATION_FAILED');
    expectError(await api.patch(`/api/v1/accounts/${res.body.id}`, { password: 'weak' }), 400, 'VALIDATION_FAILED');
    assert.equal((await accountRow('ops2@acme.test')).email, 'ops2@acme.test');

    const del = await api.delete(`/api/v1/accounts/${res.body.id}`);
    assert.equal(del.status, 200, del.text);
    assert.equal(await accountRow('ops2@acme.test'), undefined);
    expectError(await api.get(`/api/v1/accounts/${res.body.id}`), 404, 'NOT_FOUND');
  });

  it('keeps tenants apart and reserves platform_admin for platform admins', async () => {
    const api = stack.api(acme.token);
    const before = await accountCount();
    expectError(await api.post('/api/v1/accounts', { email: 'root@acme.test', password: PW, role: 'platform_admin' }), 403, 'FORBIDDEN');
    expectError(await api.post('/api/v1/accounts', { email: 'spy@acme.test', password: PW, role: 'tenant_admin', tenant: 'other' }), 404, 'NOT_FOUND');
    assert.equal(await accountCount(), before);

    const otherAdmin = (await stack.api(other.token).get('/api/v1/accounts')).body.data[0];
    expectError(await api.get(`/api/v1/accounts/${otherAdmin.id}`), 404, 'NOT_FOUND');
    expectError(await api.patch(`/api/v1/accounts/${otherAdmin.id}`, { active: false }), 404, 'NOT_FOUND');
    expectError(await api.delete(`/api/v1/accounts/${otherAdmin.id}`), 404, 'NOT_FOUND');
    assert.ok(!(await api.get('/api/v1/accounts')).body.data.some((a: { id: string }) => a.id === otherAdmin.id));
    // Delegating another tenant's domain is 404 too.
    expectError(
      await api.post('/api/v1/accounts', { email: 'd@acme.test', password: PW, role: 'domain_admin', delegated_domains: ['foreign.example'] }),
      404,
      'NOT_FOUND',
    );

    // Platform admins choose the tenant; platform_admin only in the platform tenant.
    const inOther = await admin.post('/api/v1/accounts', { email: 'helper@other.test', password: PW, role: 'tenant_admin', tenant: 'other' });
    assert.equal(inOther.status, 201, inOther.text);
    assert.equal(inOther.body.tenant_id, other.tenantId);
    expectError(
      await admin.post('/api/v1/accounts', { email: 'root@other.test', password: PW, role: 'platform_admin', tenant: 'other' }),
      400,
      'VALIDATION_FAILED',
    );
    const root2 = await admin.post('/api/v1/accounts', { email: 'root2@mailplane.test', password: PW, role: 'platform_admin' });
    assert.equal(root2.status, 201, root2.text);
    assert.equal((await admin.get('/api/v1/accounts?role=platform_admin')).body.meta.total, 2);
  });

  it('refuses to delete yourself or the last platform admin', async () => {
    const me = (await stack.api(stack.admin.apiKey).get('/api/v1/auth/me')).body;
    expectError(await admin.delete(`/api/v1/accounts/${me.account_id}`), 409, 'CONFLICT');
    expectError(await admin.patch(`/api/v1/accounts/${me.account_id}`, { active: false }), 409, 'CONFLICT');
    const root2 = (await admin.get('/api/v1/accounts?role=platform_admin&search=root2')).body.data[0];
    const root2Token = (await login('root2@mailplane.test', PW)).body.access_token as string;
    // root2 may delete the seeded admin; then root2 is the last platform admin and cannot be deleted.
    assert.equal((await stack.api(root2Token).delete(`/api/v1/accounts/${me.account_id}`)).status, 200);
    expectError(await stack.api(root2Token).delete(`/api/v1/accounts/${root2.id}`), 409, 'CONFLICT');
    assert.ok(await accountRow('root2@mailplane.test'));
    admin = stack.api(root2Token);
  });

  it('a domain_admin sees only its delegated domains and cannot create or delete domains', async () => {
    const api = stack.api(acme.token);
    const created = await api.post('/api/v1/accounts', { email: 'dom@acme.test', password: PW, role: 'domain_admin', delegated_domains: ['ONE.example'] });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.delegated_domains, ['one.example']);
    const token = (await login('dom@acme.test', PW)).body.access_token as string;
    const dom = stack.api(token);

    const domains = await dom.get('/api/v1/domains');
    assert.equal(domains.status, 200);
    assert.deepEqual(
      domains.body.data.map((d: { name: string }) => d.name),
      ['one.example'],
    );
    expectError(await dom.get('/api/v1/domains/two.example'), 404, 'NOT_FOUND');
    assert.equal((await dom.get('/api/v1/mailboxes/info@one.example')).status, 200);
    expectError(await dom.get('/api/v1/mailboxes/info@two.example'), 404, 'NOT_FOUND');
    const mbx = await dom.get('/api/v1/mailboxes');
    assert.deepEqual(
      mbx.body.data.map((m: { address: string; email?: string }) => m.address ?? m.email),
      ['info@one.example'],
    );

    expectError(await dom.post('/api/v1/domains', { name: 'new.example' }), 403, 'FORBIDDEN');
    expectError(await dom.delete('/api/v1/domains/one.example'), 403, 'FORBIDDEN');
    assert.equal((await stack.db.query(`SELECT 1 FROM domains WHERE name IN ('new.example', 'one.example')`)).length, 1);
    // Accounts are not in a domain_admin's role.
    assert.equal((await dom.get('/api/v1/accounts')).status, 403);
    // Tenant-wide records that name other domains: only its own keys, jobs and audit entries.
    const adminKeys = (await api.get('/api/v1/api-keys')).body.data as { id: string }[];
    assert.ok(adminKeys.length > 0);
    expectError(await dom.get(`/api/v1/api-keys/${adminKeys[0].id}`), 404, 'NOT_FOUND');
    assert.deepEqual((await dom.get('/api/v1/api-keys')).body.data, []);
    const job = await api.post('/api/v1/mailboxes/import', { rows: [{ address: 'jobrow@two.example', password: 'Import-Pass-4242!' }] });
    assert.equal(job.status, 202, job.text);
    expectError(await dom.get(`/api/v1/jobs/${job.body.job.id}`), 404, 'NOT_FOUND');
    assert.ok(!(await dom.get('/api/v1/jobs')).text.includes(job.body.job.id));
    const audit = await dom.get('/api/v1/audit-log?limit=500');
    assert.equal(audit.status, 200, audit.text);
    assert.ok(
      audit.body.data.length > 0 && audit.body.data.every((e: { actor: { account_id: string | null } }) => e.actor.account_id === created.body.id),
      audit.text.slice(0, 300),
    );

    // Re-delegation takes effect at once on this replica (the cached account is dropped).
    const re = await api.patch(`/api/v1/accounts/${created.body.id}`, { delegated_domains: [(await api.get('/api/v1/domains/two.example')).body.id] });
    assert.equal(re.status, 200, re.text);
    assert.deepEqual(re.body.delegated_domains, ['two.example']);
    assert.deepEqual(
      (await dom.get('/api/v1/domains')).body.data.map((d: { name: string }) => d.name),
      ['two.example'],
    );
    expectError(await api.patch(`/api/v1/accounts/${created.body.id}`, { delegated_domains: ['nope.example'] }), 404, 'NOT_FOUND');
    assert.deepEqual((await api.get(`/api/v1/accounts/${created.body.id}`)).body.delegated_domains, ['two.example']);

    // A domain_admin's key is bounded by the delegation too.
    const key = await dom.post('/api/v1/api-keys', { name: 'dom key', scopes: ['domains:read'], domain_allowlist: ['two.example'] });
    assert.equal(key.status, 201, key.text);
    assert.deepEqual(
      (await stack.api(key.body.key).get('/api/v1/domains')).body.data.map((d: { name: string }) => d.name),
      ['two.example'],
    );
    const bare = await dom.post('/api/v1/api-keys', { name: 'dom key 2', scopes: ['domains:read'] });
    assert.equal(bare.status, 201, bare.text);
    assert.deepEqual(bare.body.domain_allowlist, ['two.example'], 'without a list of its own: the delegation');

    // Deactivation: the session, the refresh tokens and the keys die at once.
    const refresh = (await login('dom@acme.test', PW)).body.refresh_token as string;
    assert.equal((await api.patch(`/api/v1/accounts/${created.body.id}`, { active: false })).status, 200);
    expectError(await dom.get('/api/v1/domains'), 401, 'UNAUTHORIZED');
    expectError(await stack.api().post('/api/v1/auth/refresh', { refresh_token: refresh }), 401, 'UNAUTHORIZED');
    const live = await stack.db.query(
      `SELECT 1 FROM refresh_tokens r JOIN accounts a ON a.id = r.account_id WHERE a.email = 'dom@acme.test' AND r.revoked_at IS NULL`,
    );
    assert.equal(live.length, 0);
    expectError(await stack.api(key.body.key).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
    assert.ok((await stack.db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM api_keys WHERE id = $1`, [key.body.id]))[0].revoked_at);
  });

  it('changes your own password: old fails, new works, policy enforced, other sessions revoked', async () => {
    assert.equal((await stack.api(acme.token).post('/api/v1/accounts', { email: 'pw@acme.test', password: PW, role: 'tenant_admin' })).status, 201);
    const first = (await login('pw@acme.test', PW)).body;
    const second = (await login('pw@acme.test', PW)).body;
    const me = stack.api(first.access_token);
    expectError(await me.request('PUT', '/api/v1/auth/password', { current_password: 'wrong-Password-1', new_password: PW2 }), 400, 'VALIDATION_FAILED');
    expectError(await me.request('PUT', '/api/v1/auth/password', { current_password: PW, new_password: 'weakweakweak' }), 400, 'VALIDATION_FAILED');
    assert.equal((await login('pw@acme.test', PW)).status, 200);

    const changed = await me.request('PUT', '/api/v1/auth/password', { current_password: PW, new_password: PW2 });
    assert.equal(changed.status, 200, changed.text);
    assert.ok(changed.body.refresh_token);
    expectError(await login('pw@acme.test', PW), 401, 'UNAUTHORIZED');
    assert.equal((await login('pw@acme.test', PW2)).status, 200);
    expectError(await stack.api().post('/api/v1/auth/refresh', { refresh_token: second.refresh_token }), 401, 'UNAUTHORIZED');
    assert.equal((await stack.api().post('/api/v1/auth/refresh', { refresh_token: changed.body.refresh_token })).status, 200);
    // API keys cannot change the account's password.
    expectError(await stack.api(acme.apiKey).request('PUT', '/api/v1/auth/password', { current_password: PW, new_password: PW2 }), 403, 'FORBIDDEN');
  });

  it('logout revokes the refresh token family only', async () => {
    const a = (await login('pw@acme.test', PW2)).body;
    const b = (await login('pw@acme.test', PW2)).body;
    const rotated = (await stack.api().post('/api/v1/auth/refresh', { refresh_token: a.refresh_token })).body;
    const out = await stack.api().post('/api/v1/auth/logout', { refresh_token: rotated.refresh_token });
    assert.equal(out.status, 200, out.text);
    expectError(await stack.api().post('/api/v1/auth/refresh', { refresh_token: rotated.refresh_token }), 401, 'UNAUTHORIZED');
    const familyLive = await stack.db.query(
      `SELECT 1 FROM refresh_tokens WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_sha256 = encode(sha256($1::bytea), 'hex')) AND revoked_at IS NULL`,
      [rotated.refresh_token],
    );
    assert.equal(familyLive.length, 0);
    // The other login's family is untouched.
    assert.equal((await stack.api().post('/api/v1/auth/refresh', { refresh_token: b.refresh_token })).status, 200);
    expectError(await stack.api().post('/api/v1/auth/logout', { refresh_token: 'rt_unknown' }), 401, 'UNAUTHORIZED');
    expectError(await stack.api().post('/api/v1/auth/logout', {}), 400, 'VALIDATION_FAILED');
  });

  it('locks an account out with a growing delay after repeated failures; success resets', async () => {
    assert.equal((await stack.api(acme.token).post('/api/v1/accounts', { email: 'lock@acme.test', password: PW, role: 'tenant_admin' })).status, 201);
    for (let i = 0; i < 5; i++) expectError(await login('lock@acme.test', 'Wrong-password-1'), 401, 'UNAUTHORIZED');
    // Locked for 1 s: even the right password is refused, with Retry-After.
    const locked = await login('lock@acme.test', PW);
    expectError(locked, 429, 'RATE_LIMITED');
    assert.equal(locked.headers.get('retry-after'), '1');
    // Other accounts are not affected.
    assert.equal((await login('pw@acme.test', PW2)).status, 200);
    await sleep(1100);
    // One more failure doubles the delay.
    expectError(await login('lock@acme.test', 'Wrong-password-1'), 401, 'UNAUTHORIZED');
    const longer = await login('lock@acme.test', PW);
    expectError(longer, 429, 'RATE_LIMITED');
    assert.equal(longer.headers.get('retry-after'), '2');
    await sleep(2100);
    assert.equal((await login('lock@acme.test', PW)).status, 200);
    // The counter was reset: one failure no longer locks.
    expectError(await login('lock@acme.test', 'Wrong-password-1'), 401, 'UNAUTHORIZED');
    assert.equal((await login('lock@acme.test', PW)).status, 200);
  });

  it('locks out a client IP after LOGIN_IP_LOCKOUT_THRESHOLD failures, whichever accounts it tries', async () => {
    const api = stack.api();
    // Default threshold 30, counted across this suite's failures from 127.0.0.1 (no trusted proxy here);
    // a distinct email each time so no account lockout kicks in.
    let locked;
    for (let i = 0; i < 30 && !locked; i++) {
      const res = await api.post('/api/v1/auth/login', { email: `guess${i}@acme.test`, password: 'Wrong-password-1' });
      if (res.status === 429) locked = res;
      else expectError(res, 401, 'UNAUTHORIZED');
    }
    assert.ok(locked, 'the IP was locked out within 30 failures');
    assert.match(expectError(locked, 429, 'RATE_LIMITED').detail, /IP address/);
    // Even the right password of an account with no failures is refused from that IP now.
    const good = await api.post('/api/v1/auth/login', { email: 'pw@acme.test', password: PW2 });
    expectError(good, 429, 'RATE_LIMITED');
    assert.ok(Number(good.headers.get('retry-after')) >= 1);
  });

  it('IP allowlists of accounts through the API: set, enforced on login and tokens, cleared; bad CIDRs are 400 and change nothing', async () => {
    const api = stack.api(acme.token);
    // Earlier tests' wrong passwords may have this IP briefly locked out: wait that out.
    const login = async (email: string, password: string) => {
      for (let i = 0; ; i++) {
        const r = await stack.api().post('/api/v1/auth/login', { email, password });
        if (r.status !== 429 || i > 20) return r;
        await new Promise((res) => setTimeout(res, 500));
      }
    };
    const res = await api.post('/api/v1/accounts', { email: 'fenced@acme.test', password: PW, role: 'tenant_admin', ip_allowlist: ['10.0.0.0/8'] });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.ip_allowlist, ['10.0.0.0/8']);
    // The suite's clients come from 127.0.0.1: outside the list.
    expectError(await login('fenced@acme.test', PW), 403, 'IP_RESTRICTED');
    const widened = await api.patch(`/api/v1/accounts/${res.body.id}`, { ip_allowlist: ['127.0.0.0/8', '10.0.0.0/8'] });
    assert.equal(widened.status, 200, widened.text);
    assert.deepEqual(widened.body.ip_allowlist, ['127.0.0.0/8', '10.0.0.0/8']);
    const ok = await login('fenced@acme.test', PW);
    assert.equal(ok.status, 200, ok.text);
    // Narrowed again: the token it already has stops working too.
    assert.equal((await api.patch(`/api/v1/accounts/${res.body.id}`, { ip_allowlist: ['192.0.2.0/24'] })).status, 200);
    await new Promise((r) => setTimeout(r, 1200)); // AUTH_CACHE_TTL_MS on the other replicas; this one drops it at once
    expectError(await stack.api(ok.body.access_token).get('/api/v1/auth/me'), 403, 'IP_RESTRICTED');
    for (const bad of [['10.0.0.1/8'], ['not-an-ip'], []]) {
      const r = await api.patch(`/api/v1/accounts/${res.body.id}`, { ip_allowlist: bad });
      expectError(r, 400, 'VALIDATION_FAILED');
    }
    assert.deepEqual((await accountRow('fenced@acme.test')).ip_allowlist, ['192.0.2.0/24']);
    const cleared = await api.patch(`/api/v1/accounts/${res.body.id}`, { ip_allowlist: null });
    assert.equal(cleared.body.ip_allowlist, null);
    assert.equal((await login('fenced@acme.test', PW)).status, 200);
    // Another tenant cannot see or touch it.
    expectError(await stack.api(other.token).patch(`/api/v1/accounts/${res.body.id}`, { ip_allowlist: ['10.0.0.0/8'] }), 404, 'NOT_FOUND');
  });

  it('an IP-restricted key cannot give an account a wider list than its own', async () => {
    const key = await stack.api(acme.token).post('/api/v1/api-keys', { name: 'fenced key', scopes: ['accounts:write'], ip_allowlist: ['127.0.0.0/8'] });
    assert.equal(key.status, 201, key.text);
    const r = await stack.api(key.body.key).post('/api/v1/accounts', { email: 'wide@acme.test', password: PW, role: 'domain_admin', ip_allowlist: null });
    expectError(r, 403, 'FORBIDDEN');
    assert.equal(await accountRow('wide@acme.test'), undefined);
    const inside = await stack
      .api(key.body.key)
      .post('/api/v1/accounts', { email: 'narrow@acme.test', password: PW, role: 'domain_admin', ip_allowlist: ['127.0.0.1/32'] });
    assert.equal(inside.status, 201, inside.text);
  });
});
