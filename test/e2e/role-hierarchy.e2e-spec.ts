import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { expectError } from '../helpers/api-client.js';
import { securedOperations, type SecuredOp } from '../helpers/openapi-ops.js';
import { TestStack } from '../helpers/stack.js';

/**
 * The role hierarchy over every account and API-key route that addresses one object, generated from
 * the OpenAPI document: caller (platform admin; tenant admin, a peer tenant admin's target and a
 * domain admin of tenant A; a tenant admin of tenant B; a tenant admin planted in the platform tenant
 * before the API refused that) × target (the platform admin, a peer tenant admin, a domain admin,
 * the caller itself). One rule table gives the expected status; a refusal must change nothing (the
 * target's password still logs in, its key still works, its name is unchanged).
 */
type Caller = 'platform' | 'tenantA' | 'domainA' | 'tenantB' | 'planted';
type Target = 'platform' | 'peer' | 'domain' | 'self';
type Op = 'account.get' | 'account.patch' | 'account.delete' | 'key.get' | 'key.patch' | 'key.delete' | 'key.rotate';

const pw = () => `Pw-${randomBytes(9).toString('base64url')}-9a`;

/** Expected status, or 'skip' for an allowed delete (it would remove a target the other cells need). */
function expected(caller: Caller, target: Target, op: Op): number | 'skip' {
  const account = op.startsWith('account.');
  const write = op.endsWith('.delete');
  if (caller === 'domainA') {
    if (account) return 403; // accounts:* is not in the domain_admin role
    if (target !== 'self') return 404; // it manages its own keys only
    return write ? 'skip' : 200;
  }
  if (caller === 'platform') {
    if (target === 'self' && op === 'account.delete') return 409; // not your own account
    return write ? 'skip' : 200;
  }
  // Non-platform callers: a platform admin's account and keys do not exist for them.
  if (target === 'platform') return 404;
  if (caller === 'tenantB' || caller === 'planted') {
    if (target !== 'self') return 404; // another tenant's objects
  }
  if (target === 'self') {
    if (op === 'account.delete') return 409;
    return write ? 'skip' : 200;
  }
  if (op === 'key.rotate') return 403; // the new secret goes to the owner or a platform admin only
  return write ? 'skip' : 200;
}

interface Actor {
  accountId: string;
  email: string;
  password: string;
  token: string;
  keyId: string;
  key: string;
}

describe('role hierarchy over accounts and API keys (e2e, generated)', () => {
  let stack: TestStack;
  let ops: SecuredOp[];
  const actors = new Map<Caller | 'peer', Actor>();

  async function login(email: string, password: string): Promise<string> {
    const res = await stack.api().post('/api/v1/auth/login', { email, password });
    assert.equal(res.status, 200, `${email}: ${res.text}`);
    return res.body.access_token as string;
  }

  async function actor(email: string, password: string): Promise<Actor> {
    const token = await login(email, password);
    const me = await stack.api(token).get('/api/v1/auth/me');
    const key = await stack.api(token).post('/api/v1/api-keys', { name: 'target', scopes: ['domains:read'] });
    assert.equal(key.status, 201, key.text);
    return { accountId: me.body.account_id ?? me.body.id, email, password, token, keyId: key.body.id, key: key.body.key };
  }

  async function created(by: string, body: Record<string, unknown>): Promise<Actor> {
    const password = pw();
    const res = await stack.api(by).post('/api/v1/accounts', { ...body, password });
    assert.equal(res.status, 201, res.text);
    return actor(body.email as string, password);
  }

  before(async () => {
    stack = await TestStack.start('role_hierarchy');
    ops = (await securedOperations(stack.api())).filter((o) => /^\/api\/v1\/(accounts|api-keys)\/\{id\}(\/rotate)?$/.test(o.path));
    actors.set('platform', await actor(stack.admin.email, stack.admin.password));
    const a = await stack.tenantAdmin('rh-a');
    actors.set('tenantA', await actor(a.email, a.password));
    assert.equal((await stack.api(a.token).post('/api/v1/domains', { name: 'rh-a.example' })).status, 201);
    actors.set('peer', await created(a.token, { email: 'peer@rh-a.test', role: 'tenant_admin' }));
    actors.set('domainA', await created(a.token, { email: 'da@rh-a.test', role: 'domain_admin', delegated_domains: ['rh-a.example'] }));
    const b = await stack.tenantAdmin('rh-b');
    actors.set('tenantB', await actor(b.email, b.password));
    // A tenant admin in the platform tenant, as the CLI or an older API could leave one behind.
    const planted = await created(actors.get('platform')!.token, { email: 'planted@platform.test', role: 'platform_admin' });
    await stack.db.query(`UPDATE accounts SET role = 'tenant_admin' WHERE id = $1`, [planted.accountId]);
    actors.set('planted', { ...planted, token: await login(planted.email, planted.password) });
  });
  after(async () => {
    await stack?.stop();
  });

  it('the API refuses tenant and domain admins in the platform tenant', async () => {
    const platform = actors.get('platform')!;
    for (const role of ['tenant_admin', 'domain_admin']) {
      const res = await stack.api(platform.token).post('/api/v1/accounts', { email: `${role}@platform.test`, password: pw(), role });
      expectError(res, 400, 'VALIDATION_FAILED');
    }
    const peer = actors.get('peer')!;
    const demote = await stack.api(platform.token).post('/api/v1/accounts', { email: 'second@platform.test', password: pw(), role: 'platform_admin' });
    assert.equal(demote.status, 201, demote.text);
    expectError(await stack.api(platform.token).patch(`/api/v1/accounts/${demote.body.id}`, { role: 'tenant_admin' }), 400, 'VALIDATION_FAILED');
    assert.equal((await stack.db.query<{ role: string }>(`SELECT role FROM accounts WHERE id = $1`, [demote.body.id]))[0].role, 'platform_admin');
    assert.ok(peer);
  });

  it('covers every account and key route that addresses one object', () => {
    assert.deepEqual(ops.map((o) => `${o.method} ${o.path}`).sort(), [
      'DELETE /api/v1/accounts/{id}',
      'DELETE /api/v1/api-keys/{id}',
      'GET /api/v1/accounts/{id}',
      'GET /api/v1/api-keys/{id}',
      'PATCH /api/v1/accounts/{id}',
      'PATCH /api/v1/api-keys/{id}',
      'POST /api/v1/api-keys/{id}/rotate',
    ]);
  });

  const CALLERS: Caller[] = ['platform', 'tenantA', 'domainA', 'tenantB', 'planted'];
  const TARGETS: Target[] = ['platform', 'peer', 'domain', 'self'];
  for (const caller of CALLERS) {
    it(`caller ${caller}: every route × target answers as the rule table says, and a refusal changes nothing`, async () => {
      const failures: string[] = [];
      for (const op of ops) {
        const kind: Op = `${op.path.includes('/accounts/') ? 'account' : 'key'}.${op.path.endsWith('/rotate') ? 'rotate' : op.method.toLowerCase()}` as Op;
        for (const target of TARGETS) {
          const who = target === 'self' ? caller : target === 'domain' ? 'domainA' : target;
          // The same account named twice (the domain admin as "domain" and "self") is judged as itself.
          if (who === caller && target !== 'self') continue;
          const t = actors.get(who)!;
          const c = actors.get(caller)!;
          const want = expected(caller, target, kind);
          if (want === 'skip') continue;
          const keyBefore = (
            await stack.db.query<{ name: string; key_id: string; revoked_at: Date | null }>(`SELECT name, key_id, revoked_at FROM api_keys WHERE id = $1`, [
              t.keyId,
            ])
          )[0];
          const path = op.path.replace('{id}', kind.startsWith('account') ? t.accountId : t.keyId);
          const newPassword = pw();
          const body =
            kind === 'account.patch'
              ? { password: newPassword }
              : kind === 'key.patch'
                ? { name: `renamed by ${caller}` }
                : op.method === 'POST'
                  ? {}
                  : undefined;
          const res = await stack.api(c.token).request(op.method, path, body);
          if (res.status !== want) {
            failures.push(`${caller} → ${target}: ${op.method} ${op.path} answered ${res.status}, expected ${want} (${res.text.slice(0, 160)})`);
          }
          if (res.status < 300) {
            // Allowed: keep the map current for the cells that follow.
            if (kind === 'account.patch') {
              t.password = newPassword;
              t.token = await login(t.email, t.password);
            }
            if (kind === 'key.rotate') t.key = res.body.key;
            continue;
          }
          // Refused: nothing changed.
          if (kind.startsWith('account')) {
            const again = await stack.api().post('/api/v1/auth/login', { email: t.email, password: t.password });
            if (again.status !== 200) failures.push(`${caller} → ${target}: after a refused ${op.method}, ${t.email} cannot log in (${again.status})`);
          } else {
            if ((await stack.api(t.key).get('/api/v1/auth/me')).status !== 200)
              failures.push(`${caller} → ${target}: after a refused ${op.method} ${op.path}, the key no longer works`);
            const [row] = await stack.db.query<{ name: string; key_id: string; revoked_at: Date | null }>(
              `SELECT name, key_id, revoked_at FROM api_keys WHERE id = $1`,
              [t.keyId],
            );
            if (JSON.stringify(row) !== JSON.stringify(keyBefore)) failures.push(`${caller} → ${target}: a refused ${op.method} ${op.path} changed the key`);
          }
        }
      }
      assert.deepEqual(failures, []);
    });
  }

  it('a tenant admin planted in the platform tenant cannot reset the platform admin’s password (the reported hole)', async () => {
    const planted = actors.get('planted')!;
    const platform = actors.get('platform')!;
    expectError(await stack.api(planted.token).patch(`/api/v1/accounts/${platform.accountId}`, { password: pw() }), 404, 'NOT_FOUND');
    const list = await stack.api(planted.token).get('/api/v1/accounts?limit=500');
    assert.equal(list.status, 200);
    assert.ok(!list.body.data.some((x: { role: string }) => x.role === 'platform_admin'), 'no platform admin is listed to a non-platform caller');
    assert.equal((await stack.api().post('/api/v1/auth/login', { email: platform.email, password: platform.password })).status, 200);
  });

  it('a platform admin sets any key’s rate limit, also through its own first API key; a tenant admin cannot go above its budget', async () => {
    const me = await stack.api(stack.admin.apiKey).get('/api/v1/auth/me');
    const keyId = me.body.api_key_id as string;
    // Above RATE_LIMIT_PER_MIN (100000 in the test stacks): only a platform admin may.
    const raised = await stack.api(stack.admin.apiKey).patch(`/api/v1/api-keys/${keyId}`, { rate_limit_per_min: 1_000_000 });
    assert.equal(raised.status, 200, raised.text);
    assert.equal((await stack.api(stack.admin.apiKey).get(`/api/v1/api-keys/${keyId}`)).body.rate_limit_per_min, 1_000_000);
    const peerKey = actors.get('peer')!.keyId;
    const byPlatform = await stack.api(actors.get('platform')!.token).patch(`/api/v1/api-keys/${peerKey}`, { rate_limit_per_min: 500_000 });
    assert.equal(byPlatform.status, 200, byPlatform.text);
    const tenantA = actors.get('tenantA')!;
    const refused = await stack.api(tenantA.token).patch(`/api/v1/api-keys/${tenantA.keyId}`, { rate_limit_per_min: 1_000_000 });
    expectError(refused, 403, 'FORBIDDEN');
    assert.equal((await stack.db.query<{ r: number | null }>(`SELECT rate_limit_per_min AS r FROM api_keys WHERE id = $1`, [tenantA.keyId]))[0].r, null);
  });
});
