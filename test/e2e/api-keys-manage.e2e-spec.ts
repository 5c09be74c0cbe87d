import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, expectError, type ApiResponse } from '../helpers/api-client.js';
import { GATEWAY_MAIN } from '../helpers/paths.js';
import { freePort, Proc, waitFor } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it holds; returns how long that took (ms), or fails after `limitMs`. */
async function timeUntil(check: () => Promise<boolean>, limitMs = 3000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < limitMs) {
    if (await check()) return Date.now() - start;
    await sleep(50);
  }
  throw new Error(`not within ${limitMs} ms`);
}

describe('API key PATCH, rotate, last use and IP allowlists (e2e)', () => {
  let stack: TestStack;
  let gw2: Proc;
  let gw2Url: string;
  let admin: ApiClient;

  const api2 = (credential?: string) => new ApiClient(gw2Url, credential);
  const mint = async (body: Record<string, unknown>, by: ApiClient = admin): Promise<ApiResponse> => {
    const res = await by.post('/api/v1/api-keys', { name: 'k', ...body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res;
  };
  const row = async (id: string) =>
    (
      await stack.db.query<Record<string, unknown>>(
        `SELECT name, scopes, domain_allowlist, ip_allowlist, expires_at, key_id, last_used_at, last_used_ip, rate_limit_per_min, xmin::text AS xmin FROM api_keys WHERE id = $1`,
        [id],
      )
    )[0];

  before(async () => {
    stack = await TestStack.start('apikeys-manage');
    admin = stack.api(stack.admin.apiKey);
    // A second replica on the same database/Redis/NATS, trusting 127.0.0.1 as a reverse proxy.
    const port = await freePort();
    gw2Url = `http://127.0.0.1:${port}`;
    gw2 = new Proc('gateway-2', process.execPath, [GATEWAY_MAIN], { ...stack.appEnv('gateway'), GATEWAY_PORT: String(port), TRUST_PROXY: '127.0.0.1' });
    await waitFor('gateway-2', async () => {
      if (!gw2.running) throw new Error(`gateway-2 exited\n${gw2.tail()}`);
      return (await fetch(`${gw2Url}/health/live`).catch(() => null))?.status === 200;
    });
  });
  after(async () => {
    await gw2?.stop();
    await stack?.stop();
  });

  describe('PATCH /api-keys/{id}', () => {
    it('changes each field and the key works with its new settings', async () => {
      const k = await mint({ scopes: ['domains:write'] });
      const id = k.body.id as string;
      const res = await admin.patch(`/api/v1/api-keys/${id}`, {
        name: 'renamed',
        scopes: ['domains:read', 'mailboxes:read'],
        domain_allowlist: ['Example.COM'],
        expires_at: '2099-01-01T00:00:00Z',
        ip_allowlist: ['127.0.0.0/8', '2001:DB8::/32'],
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.name, 'renamed');
      assert.deepEqual(res.body.scopes, ['domains:read', 'mailboxes:read']);
      assert.deepEqual(res.body.domain_allowlist, ['example.com']);
      assert.equal(res.body.expires_at, '2099-01-01T00:00:00.000Z');
      assert.deepEqual(res.body.ip_allowlist, ['127.0.0.0/8', '2001:db8::/32']);
      assert.equal(res.body.key, undefined, 'PATCH never returns a secret');
      const r = await row(id);
      assert.deepEqual(r.ip_allowlist, ['127.0.0.0/8', '2001:db8::/32']);
      assert.equal((await admin.get(`/api/v1/api-keys/${id}`)).body.name, 'renamed');
      // Narrowed at once on this replica: domains:write is gone.
      const key = stack.api(k.body.key as string);
      expectError(await key.post('/api/v1/domains', { name: 'patched.test' }), 403, 'INSUFFICIENT_SCOPE');
      assert.equal((await key.get('/api/v1/domains')).status, 200);
      // null clears lists and expiry.
      const cleared = await admin.patch(`/api/v1/api-keys/${id}`, { domain_allowlist: null, ip_allowlist: null, expires_at: null });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.domain_allowlist, null);
      assert.equal(cleared.body.ip_allowlist, null);
      assert.equal(cleared.body.expires_at, null);
      assert.equal(cleared.body.name, 'renamed', 'fields not sent are kept');
      // The key's own rate limit: set, enforced (headers), bad values refused, null back to the default.
      const limited = await admin.patch(`/api/v1/api-keys/${id}`, { rate_limit_per_min: 50 });
      assert.equal(limited.status, 200, limited.text);
      assert.equal(limited.body.rate_limit_per_min, 50);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await key.get('/api/v1/domains')).headers.get('ratelimit-limit'), '50');
      expectError(await admin.patch(`/api/v1/api-keys/${id}`, { rate_limit_per_min: 0 }), 400, 'VALIDATION_FAILED');
      assert.equal((await row(id)).rate_limit_per_min, 50);
      assert.equal((await admin.patch(`/api/v1/api-keys/${id}`, { rate_limit_per_min: null })).body.rate_limit_per_min, null);
    });

    it('refuses bad input with 400 and changes nothing', async () => {
      const k = await mint({ scopes: ['domains:read'] });
      const id = k.body.id as string;
      const before = await row(id);
      const bad: [Record<string, unknown>, string][] = [
        [{ ip_allowlist: ['10.0.0.1/8'] }, 'ip_allowlist[0]'],
        [{ ip_allowlist: ['not-a-cidr'] }, 'ip_allowlist[0]'],
        [{ ip_allowlist: ['10.0.0.0/0'] }, 'ip_allowlist[0]'],
        [{ ip_allowlist: [] }, 'ip_allowlist'],
        [{ scopes: ['nope:read'] }, 'scopes'],
        [{ scopes: [] }, 'scopes'],
        [{ name: '' }, 'name'],
        [{ expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
        [{ domain_allowlist: ['not a domain'] }, 'domain_allowlist'],
      ];
      for (const [body, field] of bad) {
        // A valid change sent alongside must not stick either.
        const res = await admin.patch(`/api/v1/api-keys/${id}`, { name: 'should not stick', ...body });
        const err = expectError(res, 400, 'VALIDATION_FAILED');
        assert.ok(
          err.fields!.some((f) => f.field.startsWith(field)),
          `${JSON.stringify(body)} → ${JSON.stringify(err.fields)}`,
        );
      }
      expectError(await admin.patch(`/api/v1/api-keys/${id}`, {}), 400, 'VALIDATION_FAILED');
      const hostBits = await admin.patch(`/api/v1/api-keys/${id}`, { ip_allowlist: ['10.0.0.1/8'] });
      assert.match(hostBits.body.detail, /host bits set; the network is 10\.0\.0\.0\/8/);
      assert.deepEqual(await row(id), before);
    });

    it('never grants beyond the caller: role, scopes, domains, IPs, expiry', async () => {
      const t = await stack.tenantAdmin('patchers');
      const tenant = stack.api(t.token);
      const own = await mint({ scopes: ['domains:read'] }, tenant);
      const id = own.body.id as string;
      // A tenant admin cannot grant a platform-only scope.
      expectError(await tenant.patch(`/api/v1/api-keys/${id}`, { scopes: ['queue:read'] }), 403, 'FORBIDDEN');
      // A key limited to domains:write + api_keys:write, one domain, one network and an expiry.
      const parent = await mint(
        { scopes: ['domains:write', 'api_keys:write'], domain_allowlist: ['a.test'], ip_allowlist: ['127.0.0.0/8'], expires_at: '2090-01-01T00:00:00Z' },
        tenant,
      );
      const pk = stack.api(parent.body.key as string);
      const child = await mint({ scopes: ['domains:read'], domain_allowlist: ['a.test'] }, pk);
      assert.deepEqual(child.body.ip_allowlist, ['127.0.0.0/8'], 'inherits the minting key’s IP allowlist');
      const cid = child.body.id as string;
      const before = await row(cid);
      expectError(await pk.patch(`/api/v1/api-keys/${cid}`, { scopes: ['mailboxes:read'] }), 403, 'FORBIDDEN');
      expectError(await pk.patch(`/api/v1/api-keys/${cid}`, { domain_allowlist: ['b.test'] }), 403, 'FORBIDDEN');
      expectError(await pk.patch(`/api/v1/api-keys/${cid}`, { domain_allowlist: null }), 403, 'FORBIDDEN');
      expectError(await pk.patch(`/api/v1/api-keys/${cid}`, { ip_allowlist: null }), 403, 'FORBIDDEN');
      expectError(await pk.patch(`/api/v1/api-keys/${cid}`, { ip_allowlist: ['0.0.0.0/1'] }), 403, 'FORBIDDEN');
      expectError(await pk.patch(`/api/v1/api-keys/${cid}`, { expires_at: '2095-01-01T00:00:00Z' }), 403, 'FORBIDDEN');
      assert.deepEqual(await row(cid), before);
      // Within its rights it may change what it minted.
      const ok = await pk.patch(`/api/v1/api-keys/${cid}`, { scopes: ['domains:write'], ip_allowlist: ['127.0.0.1/32'] });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.ip_allowlist, ['127.0.0.1/32']);
      // A restricted key cannot touch a key it did not mint (404), nor another tenant's key.
      expectError(await pk.patch(`/api/v1/api-keys/${id}`, { name: 'x' }), 404, 'NOT_FOUND');
      const foreign = await mint({ scopes: ['domains:read'] });
      expectError(await tenant.patch(`/api/v1/api-keys/${foreign.body.id}`, { name: 'x' }), 404, 'NOT_FOUND');
      expectError(await stack.api(t.apiKey).patch(`/api/v1/api-keys/${foreign.body.id}`, { name: 'x' }), 404, 'NOT_FOUND');
      expectError(await tenant.post(`/api/v1/api-keys/${foreign.body.id}/rotate`, {}), 404, 'NOT_FOUND');
      assert.equal((await row(foreign.body.id as string)).name, 'k');
    });

    it('refuses to narrow a parent below a live key it minted (409 naming it), then allows it once that key is narrowed', async () => {
      const parent = await mint({ scopes: ['domains:write', 'api_keys:write'] });
      const child = await mint({ scopes: ['domains:write'] }, stack.api(parent.body.key as string));
      const res = await admin.patch(`/api/v1/api-keys/${parent.body.id}`, { scopes: ['domains:read', 'api_keys:write'] });
      const err = expectError(res, 409, 'CONFLICT');
      assert.ok(err.detail.includes(child.body.id as string), err.detail);
      assert.deepEqual((await row(parent.body.id as string)).scopes, ['domains:write', 'api_keys:write']);
      // And a child may not be widened beyond its parent, even by a platform admin.
      expectError(await admin.patch(`/api/v1/api-keys/${child.body.id}`, { scopes: ['mailboxes:write'] }), 409, 'CONFLICT');
      assert.equal((await admin.patch(`/api/v1/api-keys/${child.body.id}`, { scopes: ['domains:read'] })).status, 200);
      assert.equal((await admin.patch(`/api/v1/api-keys/${parent.body.id}`, { scopes: ['domains:read', 'api_keys:write'] })).status, 200);
    });
  });

  describe('POST /api-keys/{id}/rotate', () => {
    it('issues a new secret for the same key; the old one is dead at once', async () => {
      const k = await mint({ scopes: ['domains:read'], ip_allowlist: ['127.0.0.0/8'] });
      const id = k.body.id as string;
      const old = k.body.key as string;
      assert.equal((await stack.api(old).get('/api/v1/domains')).status, 200);
      expectError(await admin.post(`/api/v1/api-keys/${id}/rotate`, { scopes: ['*'] }), 400, 'VALIDATION_FAILED');
      assert.equal((await row(id)).key_id, k.body.key_id, 'a refused rotate changes nothing');
      const res = await admin.post(`/api/v1/api-keys/${id}/rotate`, {});
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.id, id);
      assert.deepEqual(res.body.scopes, ['domains:read']);
      assert.deepEqual(res.body.ip_allowlist, ['127.0.0.0/8']);
      assert.match(res.body.key, /^mp_[0-9a-f]{16}_/);
      assert.notEqual(res.body.key, old);
      expectError(await stack.api(old).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      assert.equal((await stack.api(res.body.key as string).get('/api/v1/domains')).status, 200);
      assert.equal((await admin.get(`/api/v1/api-keys/${id}`)).body.key, undefined);
      // A revoked key cannot be rotated back to life.
      await admin.delete(`/api/v1/api-keys/${id}`);
      expectError(await admin.post(`/api/v1/api-keys/${id}/rotate`, {}), 409, 'CONFLICT');
      expectError(await admin.patch(`/api/v1/api-keys/${id}`, { name: 'zombie' }), 409, 'CONFLICT');
      expectError(await admin.post(`/api/v1/api-keys/00000000-0000-4000-8000-000000000000/rotate`, {}), 404, 'NOT_FOUND');
    });
  });

  describe('a second gateway replica', () => {
    it('honours revoke, patch and rotate made on gateway 1 within ~1 s', async () => {
      const k = await mint({ scopes: ['domains:write'] });
      const id = k.body.id as string;
      let key = k.body.key as string;
      // Warm gateway 2's cache first so the test measures the cache bound, not a cold lookup.
      assert.equal((await api2(key).post('/api/v1/domains', { name: 'replica-a.test' })).status, 201);

      assert.equal((await admin.patch(`/api/v1/api-keys/${id}`, { scopes: ['domains:read'] })).status, 200);
      const patched = await timeUntil(async () => (await api2(key).post('/api/v1/domains', { name: 'replica-b.test' })).status === 403);
      assert.ok(patched <= 1500, `patch took ${patched} ms on gateway 2`);

      assert.equal((await api2(key).get('/api/v1/domains')).status, 200);
      const rotated = await admin.post(`/api/v1/api-keys/${id}/rotate`, {});
      const old = key;
      key = rotated.body.key as string;
      const dead = await timeUntil(async () => (await api2(old).get('/api/v1/domains')).status === 401);
      assert.ok(dead <= 1500, `rotation took ${dead} ms on gateway 2`);
      assert.equal((await api2(key).get('/api/v1/domains')).status, 200);

      assert.equal((await admin.patch(`/api/v1/api-keys/${id}`, { ip_allowlist: ['10.0.0.0/8'] })).status, 200);
      const restricted = await timeUntil(async () => (await api2(key).get('/api/v1/domains')).status === 403);
      assert.ok(restricted <= 1500, `ip allowlist took ${restricted} ms on gateway 2`);
      assert.equal((await admin.patch(`/api/v1/api-keys/${id}`, { ip_allowlist: null })).status, 200);
      await timeUntil(async () => (await api2(key).get('/api/v1/domains')).status === 200);

      assert.equal((await admin.delete(`/api/v1/api-keys/${id}`)).status, 200);
      const revoked = await timeUntil(async () => (await api2(key).get('/api/v1/domains')).status === 401);
      assert.ok(revoked <= 1500, `revocation took ${revoked} ms on gateway 2`);
    });
  });

  describe('last use', () => {
    it('records last_used_at/last_used_ip after use without a write per request', async () => {
      const k = await mint({ scopes: ['domains:read'] });
      const id = k.body.id as string;
      assert.equal((await admin.get(`/api/v1/api-keys/${id}`)).body.last_used_at, null);
      const key = stack.api(k.body.key as string);
      assert.equal((await key.get('/api/v1/domains')).status, 200);
      await waitFor('last_used_at', async () => (await row(id)).last_used_at !== null, 5000);
      const first = await row(id);
      for (let i = 0; i < 15; i++) assert.equal((await key.get('/api/v1/domains')).status, 200);
      await sleep(300);
      const later = await row(id);
      // xmin changes with every UPDATE of the row: 15 more requests did not write it.
      assert.equal(later.xmin, first.xmin);
      assert.deepEqual(later.last_used_at, first.last_used_at);
      const shown = (await admin.get(`/api/v1/api-keys/${id}`)).body;
      assert.equal(shown.last_used_ip, '127.0.0.1');
      assert.equal(shown.last_used_at, (first.last_used_at as Date).toISOString());
      const listed = (await admin.get('/api/v1/api-keys?limit=100')).body.data.find((x: { id: string }) => x.id === id);
      assert.equal(listed.last_used_ip, '127.0.0.1');
    });
  });

  describe('IP allowlists', () => {
    it('a key allowed only 10.0.0.0/8 gets 403 IP_RESTRICTED from 127.0.0.1 (before scope checks); 127.0.0.0/8 passes', async () => {
      const outside = await mint({ scopes: ['domains:read'], ip_allowlist: ['10.0.0.0/8'] });
      const inside = await mint({ scopes: ['domains:read'], ip_allowlist: ['127.0.0.0/8'] });
      const res = await stack.api(outside.body.key as string).get('/api/v1/domains');
      const err = expectError(res, 403, 'IP_RESTRICTED');
      assert.match(err.detail, /127\.0\.0\.1/);
      // A route beyond its scopes still answers IP_RESTRICTED: the IP check comes first.
      expectError(await stack.api(outside.body.key as string).post('/api/v1/domains', { name: 'x.test' }), 403, 'IP_RESTRICTED');
      assert.equal((await stack.api(inside.body.key as string).get('/api/v1/domains')).status, 200);
      expectError(await stack.api(inside.body.key as string).post('/api/v1/domains', { name: 'x.test' }), 403, 'INSUFFICIENT_SCOPE');
    });

    it('trusts X-Forwarded-For only from a TRUST_PROXY peer', async () => {
      const k = await mint({ scopes: ['domains:read'], ip_allowlist: ['10.0.0.0/8'] });
      const key = k.body.key as string;
      // Gateway 2 trusts 127.0.0.1: the forwarded address decides.
      assert.equal((await api2(key).get('/api/v1/domains', { 'x-forwarded-for': '10.1.2.3' })).status, 200);
      expectError(await api2(key).get('/api/v1/domains', { 'x-forwarded-for': '192.0.2.1' }), 403, 'IP_RESTRICTED');
      // Gateway 1 trusts no proxy: the header is ignored, the TCP peer (127.0.0.1) is the client.
      expectError(await stack.api(key).get('/api/v1/domains', { 'x-forwarded-for': '10.1.2.3' }), 403, 'IP_RESTRICTED');
      const open = await mint({ scopes: ['domains:read'] });
      assert.equal((await stack.api(open.body.key as string).get('/api/v1/domains', { 'x-forwarded-for': '10.9.9.9' })).status, 200);
      await waitFor('last_used_ip', async () => (await row(open.body.id as string)).last_used_ip === '127.0.0.1', 5000);
    });

    it('per account (set with the admin CLI): its tokens and its keys are refused elsewhere', async () => {
      const t = await stack.tenantAdmin('fenced');
      const bad = await stack.adminCli('set-ip-allowlist', '--email', t.email, '--cidrs', '10.0.0.0/8,192.0.2.0/24');
      assert.deepEqual(bad.ip_allowlist, ['10.0.0.0/8', '192.0.2.0/24']);
      const [acc] = await stack.db.query<{ ip_allowlist: string[] }>(`SELECT ip_allowlist FROM accounts WHERE email = $1`, [t.email]);
      assert.deepEqual(acc.ip_allowlist, ['10.0.0.0/8', '192.0.2.0/24']);
      await timeUntil(async () => (await stack.api(t.token).get('/api/v1/auth/me')).status === 403);
      expectError(await stack.api(t.token).get('/api/v1/auth/me'), 403, 'IP_RESTRICTED');
      expectError(await stack.api(t.apiKey).get('/api/v1/domains'), 403, 'IP_RESTRICTED');
      // Through the trusting replica, from inside the account's network, it works.
      assert.equal((await api2(t.token).get('/api/v1/auth/me', { 'x-forwarded-for': '192.0.2.44' })).status, 200);
      // A login from outside gets no tokens at all; from inside it does.
      expectError(await stack.api().post('/api/v1/auth/login', { email: t.email, password: t.password }), 403, 'IP_RESTRICTED');
      const inside = await api2().post('/api/v1/auth/login', { email: t.email, password: t.password }, { 'x-forwarded-for': '192.0.2.44' });
      assert.equal(inside.status, 200, inside.text);
      // Host bits set are refused and nothing changes.
      await assert.rejects(stack.adminCli('set-ip-allowlist', '--email', t.email, '--cidrs', '127.0.0.1/8'));
      const [still] = await stack.db.query<{ ip_allowlist: string[] }>(`SELECT ip_allowlist FROM accounts WHERE email = $1`, [t.email]);
      assert.deepEqual(still.ip_allowlist, ['10.0.0.0/8', '192.0.2.0/24']);
      assert.deepEqual((await stack.adminCli('set-ip-allowlist', '--email', t.email, '--cidrs', 'none')).ip_allowlist, null);
      await timeUntil(async () => (await stack.api(t.token).get('/api/v1/auth/me')).status === 200);
    });
  });
});
