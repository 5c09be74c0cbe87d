import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { expectError } from '../helpers/api-client.js';
import { run } from '../helpers/processes.js';
import { SEED_MAIN } from '../helpers/paths.js';
import { TestStack } from '../helpers/stack.js';

function signJwt(payload: object, secret: string): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const body = enc(payload);
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('auth and API keys (e2e)', () => {
  let stack: TestStack;

  before(async () => {
    stack = await TestStack.start('auth');
  });
  after(async () => {
    await stack?.stop();
  });

  describe('login, refresh, me', () => {
    it('logs in with the seeded admin and /auth/me reports the account', async () => {
      const res = await stack.api().post('/api/v1/auth/login', { email: stack.admin.email, password: stack.admin.password });
      assert.equal(res.status, 200);
      assert.equal(res.body.token_type, 'Bearer');
      assert.equal(res.body.expires_in, 900);
      assert.match(res.body.refresh_token, /^rt_/);
      const me = await stack.api(res.body.access_token).get('/api/v1/auth/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.email, stack.admin.email);
      assert.equal(me.body.role, 'platform_admin');
      assert.equal(me.body.auth, 'account');
      assert.equal(me.body.totp_enabled, false);
      assert.equal(me.body.recovery_codes_left, null);
      const [row] = await stack.db.query<{ last_login_at: Date | null }>(`SELECT last_login_at FROM accounts WHERE email = $1`, [stack.admin.email]);
      assert.ok(row.last_login_at, 'last_login_at recorded');
    });

    it('refuses a wrong password and an unknown email alike (401)', async () => {
      const wrong = await stack.api().post('/api/v1/auth/login', { email: stack.admin.email, password: 'not-the-password' });
      const unknown = await stack.api().post('/api/v1/auth/login', { email: 'nobody@mailplane.test', password: 'whatever-123' });
      expectError(wrong, 401, 'UNAUTHORIZED');
      expectError(unknown, 401, 'UNAUTHORIZED');
      assert.equal(wrong.body.detail, unknown.body.detail);
    });

    it('validates the login body (400 with fields)', async () => {
      const res = await stack.api().post('/api/v1/auth/login', { email: 'not-an-email' });
      const err = expectError(res, 400, 'VALIDATION_FAILED');
      const fields = err.fields!.map((f) => f.field).sort();
      assert.deepEqual([...new Set(fields)], ['email', 'password']);
    });

    it('rotates refresh tokens and revokes the family on reuse', async () => {
      const login = await stack.api().post('/api/v1/auth/login', { email: stack.admin.email, password: stack.admin.password });
      const first = login.body.refresh_token as string;
      const r1 = await stack.api().post('/api/v1/auth/refresh', { refresh_token: first });
      assert.equal(r1.status, 200);
      assert.notEqual(r1.body.refresh_token, first);
      assert.equal((await stack.api(r1.body.access_token).get('/api/v1/auth/me')).status, 200);
      // Reusing the spent token: refused, and the token it was exchanged for dies too.
      expectError(await stack.api().post('/api/v1/auth/refresh', { refresh_token: first }), 401, 'UNAUTHORIZED');
      expectError(await stack.api().post('/api/v1/auth/refresh', { refresh_token: r1.body.refresh_token }), 401, 'UNAUTHORIZED');
      const hash = createHash('sha256').update(first).digest('hex');
      const rows = await stack.db.query<{ family_id: string }>(`SELECT family_id FROM refresh_tokens WHERE token_sha256 = $1`, [hash]);
      const live = await stack.db.query(`SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL`, [rows[0].family_id]);
      assert.equal(live.length, 0);
      expectError(await stack.api().post('/api/v1/auth/refresh', { refresh_token: 'rt_nonsense' }), 401, 'UNAUTHORIZED');
    });
  });

  describe('credentials', () => {
    it('401 without credentials, with a malformed header, an unknown key or a wrong secret', async () => {
      expectError(await stack.api().get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      expectError(await stack.api().get('/api/v1/domains', { authorization: 'Basic Zm9vOmJhcg==' }), 401, 'UNAUTHORIZED');
      expectError(await stack.api('not-a-jwt').get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      expectError(await stack.api('mp_0000000000000000_' + 'a'.repeat(43)).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      const wrongSecret = stack.admin.apiKey.slice(0, -4) + 'AAAA';
      expectError(await stack.api(wrongSecret).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      expectError(await stack.api('mp_short').withApiKeyHeader().get('/api/v1/domains'), 401, 'UNAUTHORIZED');
    });

    it('401 for an expired or foreign-signed access token', async () => {
      const [acct] = await stack.db.query<{ id: string }>(`SELECT id FROM accounts WHERE email = $1`, [stack.admin.email]);
      const now = Math.floor(Date.now() / 1000);
      const expired = signJwt({ sub: acct.id, typ: 'access', iss: 'mailplane', iat: now - 1000, exp: now - 10 }, stack.env.JWT_SECRET!);
      const res = expectError(await stack.api(expired).get('/api/v1/auth/me'), 401, 'UNAUTHORIZED');
      assert.equal(res.error, 'Token expired');
      const forged = signJwt({ sub: acct.id, typ: 'access', iss: 'mailplane', iat: now, exp: now + 600 }, 'x'.repeat(40));
      expectError(await stack.api(forged).get('/api/v1/auth/me'), 401, 'UNAUTHORIZED');
      const valid = signJwt({ sub: acct.id, typ: 'access', iss: 'mailplane', iat: now, exp: now + 600 }, stack.env.JWT_SECRET!);
      assert.equal((await stack.api(valid).get('/api/v1/auth/me')).status, 200);
    });

    it('accepts an API key as Bearer or X-API-Key; X-API-Key wins when both are sent', async () => {
      assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/auth/me')).body.auth, 'api_key');
      assert.equal((await stack.api(stack.admin.apiKey).withApiKeyHeader().get('/api/v1/auth/me')).status, 200);
      const both = await stack.api('garbage-jwt').get('/api/v1/auth/me', { 'x-api-key': stack.admin.apiKey });
      assert.equal(both.status, 200);
      assert.equal(both.body.auth, 'api_key');
      const login = await stack.api().post('/api/v1/auth/login', { email: stack.admin.email, password: stack.admin.password });
      const badKeyGoodJwt = await stack.api(login.body.access_token).get('/api/v1/auth/me', { 'x-api-key': 'mp_bogus' });
      expectError(badKeyGoodJwt, 401, 'UNAUTHORIZED');
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, stores only the SHA-256 of its secret, lists and gets it without secrets', async () => {
      const res = await stack.api(stack.admin.apiKey).post('/api/v1/api-keys', { name: 'billing', scopes: ['domains:read'] });
      assert.equal(res.status, 201);
      assert.match(res.body.key, /^mp_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      assert.equal(res.headers.get('location'), `/api/v1/api-keys/${res.body.id}`);
      const secret = (res.body.key as string).split('_').slice(2).join('_');
      const [row] = await stack.db.query<Record<string, unknown>>(`SELECT * FROM api_keys WHERE id = $1`, [res.body.id]);
      assert.equal(row.secret_sha256, createHash('sha256').update(secret).digest('hex'));
      assert.ok(!JSON.stringify(row).includes(secret), 'secret not stored');
      const got = await stack.api(stack.admin.apiKey).get(`/api/v1/api-keys/${res.body.id}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.name, 'billing');
      assert.equal(got.body.key, undefined);
      assert.ok(!got.text.includes(secret));
      const list = await stack.api(stack.admin.apiKey).get('/api/v1/api-keys?search=bill');
      assert.equal(list.status, 200);
      assert.equal(list.body.meta.total, 1);
      assert.ok(!list.text.includes(secret) && !list.text.includes('secret_sha256'));
    });

    it('lists the scope catalog', async () => {
      const res = await stack.api(stack.admin.apiKey).get('/api/v1/api-keys/scopes');
      assert.equal(res.status, 200);
      const scopes = res.body.data.map((s: { scope: string }) => s.scope);
      for (const s of ['*', 'domains:read', 'domains:write', 'dns:read', 'tenants:write']) assert.ok(scopes.includes(s), s);
      assert.ok(!scopes.includes('dns:write'), 'dns is read-only');
    });

    it('missing scope → 403 INSUFFICIENT_SCOPE; write implies read', async () => {
      const ro = await stack.api(stack.admin.apiKey).post('/api/v1/api-keys', { name: 'ro', scopes: ['domains:read'] });
      expectError(await stack.api(ro.body.key).post('/api/v1/domains', { name: 'ro-denied.example' }), 403, 'INSUFFICIENT_SCOPE');
      expectError(await stack.api(ro.body.key).get('/api/v1/api-keys'), 403, 'INSUFFICIENT_SCOPE');
      assert.equal((await stack.api(ro.body.key).get('/api/v1/domains')).status, 200);
      const rw = await stack.api(stack.admin.apiKey).post('/api/v1/api-keys', { name: 'rw', scopes: ['domains:write'] });
      assert.equal((await stack.api(rw.body.key).get('/api/v1/domains')).status, 200);
      const none = await stack.db.query(`SELECT 1 FROM domains WHERE name = 'ro-denied.example'`);
      assert.equal(none.length, 0);
    });

    it('no key can mint a key beyond its own scopes or allow-list, nor beyond its creator’s role', async () => {
      const ro = await stack
        .api(stack.admin.apiKey)
        .post('/api/v1/api-keys', { name: 'minter', scopes: ['api_keys:write', 'domains:read'], domain_allowlist: ['a.example'] });
      assert.equal(ro.status, 201);
      expectError(await stack.api(ro.body.key).post('/api/v1/api-keys', { name: 'x', scopes: ['domains:write'] }), 403, 'FORBIDDEN');
      expectError(await stack.api(ro.body.key).post('/api/v1/api-keys', { name: 'x', scopes: ['*'] }), 403, 'FORBIDDEN');
      expectError(await stack.api(ro.body.key).post('/api/v1/api-keys', { name: 'x', scopes: ['domains:read'], domain_allowlist: null }), 403, 'FORBIDDEN');
      const inherited = await stack.api(ro.body.key).post('/api/v1/api-keys', { name: 'inherits', scopes: ['domains:read'] });
      assert.equal(inherited.status, 201, inherited.text);
      assert.deepEqual(inherited.body.domain_allowlist, ['a.example'], 'no list of its own: the minting key’s');
      expectError(
        await stack.api(ro.body.key).post('/api/v1/api-keys', { name: 'x', scopes: ['domains:read'], domain_allowlist: ['b.example'] }),
        403,
        'FORBIDDEN',
      );
      const ok = await stack.api(ro.body.key).post('/api/v1/api-keys', { name: 'x', scopes: ['domains:read'], domain_allowlist: ['A.Example'] });
      assert.equal(ok.status, 201);
      assert.deepEqual(ok.body.domain_allowlist, ['a.example']);
      const tenant = await stack.tenantAdmin('minting');
      expectError(await stack.api(tenant.token).post('/api/v1/api-keys', { name: 'x', scopes: ['tenants:read'] }), 403, 'FORBIDDEN');
      expectError(await stack.api(tenant.token).post('/api/v1/api-keys', { name: 'x', scopes: ['*'] }), 403, 'FORBIDDEN');
    });

    it('validates key creation and changes nothing on failure', async () => {
      const before = await stack.db.query(`SELECT id FROM api_keys`);
      const cases = [
        { name: 'x', scopes: ['domains:fly'] },
        { name: 'x', scopes: [] },
        { name: '', scopes: ['domains:read'] },
        { name: 'x', scopes: ['domains:read'], expires_at: 'tomorrow' },
        { name: 'x', scopes: ['domains:read'], expires_at: '2001-01-01T00:00:00Z' },
        { name: 'x', scopes: ['domains:read'], domain_allowlist: ['not a domain'] },
        { name: 'x', scopes: ['domains:read'], secret: 'mine' },
      ];
      for (const body of cases) {
        expectError(await stack.api(stack.admin.apiKey).post('/api/v1/api-keys', body), 400, 'VALIDATION_FAILED');
      }
      assert.equal((await stack.db.query(`SELECT id FROM api_keys`)).length, before.length);
    });

    it('a revoked key stops working; revoking twice is a conflict', async () => {
      const k = await stack.api(stack.admin.apiKey).post('/api/v1/api-keys', { name: 'to revoke', scopes: ['domains:read'] });
      assert.equal((await stack.api(k.body.key).get('/api/v1/domains')).status, 200);
      const del = await stack.api(stack.admin.apiKey).delete(`/api/v1/api-keys/${k.body.id}`);
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, { message: 'api key revoked' });
      const res = expectError(await stack.api(k.body.key).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      assert.equal(res.error, 'API key revoked');
      expectError(await stack.api(stack.admin.apiKey).delete(`/api/v1/api-keys/${k.body.id}`), 409, 'CONFLICT');
      const [row] = await stack.db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM api_keys WHERE id = $1`, [k.body.id]);
      assert.ok(row.revoked_at);
    });

    it('an expired key is refused (401)', async () => {
      const k = await stack.api(stack.admin.apiKey).post('/api/v1/api-keys', { name: 'short-lived', scopes: ['domains:read'] });
      assert.equal((await stack.api(k.body.key).get('/api/v1/domains')).status, 200);
      await stack.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [k.body.id]);
      await sleep(1100); // the gateway caches a key for AUTH_CACHE_TTL_MS (1 s here)
      const res = expectError(await stack.api(k.body.key).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      assert.equal(res.error, 'API key expired');
    });

    it('another tenant’s key is a 404; a tenant sees only its own keys', async () => {
      const a = await stack.tenantAdmin('keys-a');
      const b = await stack.tenantAdmin('keys-b');
      const aKey = await stack.api(a.apiKey).get('/api/v1/api-keys');
      const aKeyId = aKey.body.data[0].id as string;
      expectError(await stack.api(b.apiKey).get(`/api/v1/api-keys/${aKeyId}`), 404, 'NOT_FOUND');
      expectError(await stack.api(b.apiKey).delete(`/api/v1/api-keys/${aKeyId}`), 404, 'NOT_FOUND');
      const bList = await stack.api(b.apiKey).get('/api/v1/api-keys');
      assert.ok(bList.body.data.every((k: { tenant_id: string }) => k.tenant_id === b.tenantId));
      const [row] = await stack.db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM api_keys WHERE id = $1`, [aKeyId]);
      assert.equal(row.revoked_at, null);
      expectError(await stack.api(b.apiKey).get('/api/v1/api-keys/not-a-uuid'), 404, 'NOT_FOUND');
    });
  });

  describe('key lineage and limits', () => {
    it('a key cannot mint a key that outlives it; without a date the child inherits its expiry', async () => {
      const soon = new Date(Date.now() + 3600_000).toISOString();
      const parent = await stack
        .api(stack.admin.apiKey)
        .post('/api/v1/api-keys', { name: 'parent', scopes: ['api_keys:write', 'domains:read'], expires_at: soon });
      assert.equal(parent.status, 201);
      const inherit = await stack.api(parent.body.key).post('/api/v1/api-keys', { name: 'child', scopes: ['domains:read'] });
      assert.equal(inherit.status, 201);
      assert.equal(inherit.body.expires_at, parent.body.expires_at);
      assert.equal(inherit.body.created_by_key_id, parent.body.id);
      const later = new Date(Date.now() + 7200_000).toISOString();
      expectError(await stack.api(parent.body.key).post('/api/v1/api-keys', { name: 'x', scopes: ['domains:read'], expires_at: later }), 403, 'FORBIDDEN');
      for (const bad of ['2027-W01', '2027-01-01', 'soon']) {
        expectError(
          await stack.api(parent.body.key).post('/api/v1/api-keys', { name: 'x', scopes: ['domains:read'], expires_at: bad }),
          400,
          'VALIDATION_FAILED',
        );
      }
    });

    it('a restricted key sees and revokes only what it minted; revoking a key revokes its descendants', async () => {
      const limited = await stack
        .api(stack.admin.apiKey)
        .post('/api/v1/api-keys', { name: 'limited minter', scopes: ['api_keys:write', 'domains:read'], domain_allowlist: ['a.example'] });
      const child = await stack
        .api(limited.body.key)
        .post('/api/v1/api-keys', { name: 'grandparent-child', scopes: ['domains:read'], domain_allowlist: ['a.example'] });
      const list = await stack.api(limited.body.key).get('/api/v1/api-keys?limit=500');
      assert.deepEqual(list.body.data.map((k: { id: string }) => k.id).sort(), [limited.body.id, child.body.id].sort());
      const [bootstrap] = await stack.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE name = 'bootstrap'`);
      expectError(await stack.api(limited.body.key).delete(`/api/v1/api-keys/${bootstrap.id}`), 404, 'NOT_FOUND');
      assert.equal((await stack.api(child.body.key).get('/api/v1/domains')).status, 200);
      assert.equal((await stack.api(stack.admin.apiKey).delete(`/api/v1/api-keys/${limited.body.id}`)).status, 200);
      expectError(await stack.api(child.body.key).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      const [row] = await stack.db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM api_keys WHERE id = $1`, [child.body.id]);
      assert.ok(row.revoked_at, 'descendant revoked');
    });

    it('a tenant admin never sees or revokes a platform admin’s keys', async () => {
      const t = await stack.tenantAdmin('no-platform-keys');
      const list = await stack.api(t.token).get('/api/v1/api-keys?limit=500');
      assert.ok(list.body.data.every((k: { tenant_id: string }) => k.tenant_id === t.tenantId));
      const [bootstrap] = await stack.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE name = 'bootstrap'`);
      expectError(await stack.api(t.token).delete(`/api/v1/api-keys/${bootstrap.id}`), 404, 'NOT_FOUND');
    });

    it('refuses a signed access token without an expiry', async () => {
      const [acct] = await stack.db.query<{ id: string }>(`SELECT id FROM accounts WHERE email = $1`, [stack.admin.email]);
      const forever = signJwt({ sub: acct.id, typ: 'access', iss: 'mailplane', iat: Math.floor(Date.now() / 1000) }, stack.env.JWT_SECRET!);
      expectError(await stack.api(forever).get('/api/v1/auth/me'), 401, 'UNAUTHORIZED');
    });
  });

  describe('first admin and admin CLI', () => {
    it('refuses a tenant admin without a tenant or in the platform tenant', async () => {
      await assert.rejects(stack.adminCli('create-admin', '--email', 'ta1@mailplane.test', '--role', 'tenant_admin'), /--tenant is required/);
      await assert.rejects(stack.adminCli('create-admin', '--email', 'ta2@mailplane.test', '--role', 'tenant_admin', '--tenant', 'default'), /platform tenant/);
      assert.equal((await stack.db.query(`SELECT 1 FROM accounts WHERE email LIKE 'ta_@mailplane.test'`)).length, 0);
    });

    it('re-running the seed creates nothing', async () => {
      const { stdout } = await run(process.execPath, [SEED_MAIN], stack.env);
      assert.match(stdout, /already exists/);
      const admins = await stack.db.query(`SELECT 1 FROM accounts WHERE role = 'platform_admin'`);
      assert.equal(admins.length, 1);
    });

    it('reset-password makes the old password fail and the new one work', async () => {
      const email = 'second-admin@mailplane.test';
      const created = await stack.adminCli('create-admin', '--email', email);
      assert.equal(created.role, 'platform_admin');
      const pw1 = created.password as string;
      assert.equal((await stack.api().post('/api/v1/auth/login', { email, password: pw1 })).status, 200);
      const reset = await stack.adminCliWithInput('A-new-password-42\n', 'reset-password', '--email', email, '--password-stdin');
      assert.equal(reset.password, undefined, 'a given password is not echoed');
      expectError(await stack.api().post('/api/v1/auth/login', { email, password: pw1 }), 401, 'UNAUTHORIZED');
      assert.equal((await stack.api().post('/api/v1/auth/login', { email, password: 'A-new-password-42' })).status, 200);
    });

    it('refuses a password on the command line, in either form, and changes nothing', async () => {
      const email = 'second-admin@mailplane.test';
      for (const args of [['--password', 'Argv-password-42'], ['--password=Argv-password-42']]) {
        await assert.rejects(stack.adminCli('reset-password', '--email', email, ...args), (err: Error) => {
          assert.match(err.message, /exited 2: --password is not accepted: .*visible to other users/);
          assert.match(err.message, /--password-stdin/);
          return true;
        });
      }
      expectError(await stack.api().post('/api/v1/auth/login', { email, password: 'Argv-password-42' }), 401, 'UNAUTHORIZED');
      assert.equal((await stack.api().post('/api/v1/auth/login', { email, password: 'A-new-password-42' })).status, 200);
    });
  });
});
