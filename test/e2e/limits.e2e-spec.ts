import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

const GiB = 1024 * 1024 * 1024;
const PW = 'Str0ng-Passphrase!';

/** Tenant limits (tenants.max_*, storage_bytes) and a domain's effective limits → 409 QUOTA_EXCEEDED naming the limit, nothing written. */
describe('tenant and domain limits (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;

  before(async () => {
    stack = await TestStack.start('limits');
    admin = stack.api(stack.admin.apiKey);
  });
  after(async () => {
    await stack?.stop();
  });

  const put = (api: ApiClient, path: string, body: unknown) => api.request('PUT', path, body);
  const count = async (table: string, tenantId: string) =>
    Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]))[0].n);
  const setLimits = (tenantId: string, limits: Record<string, number | null>) =>
    stack.db.query(
      `UPDATE tenants SET ${Object.keys(limits)
        .map((k, i) => `${k} = $${i + 2}`)
        .join(', ')} WHERE id = $1`,
      [tenantId, ...Object.values(limits)],
    );
  const quota = (res: Awaited<ReturnType<ApiClient['get']>>, pattern: RegExp) => {
    const err = expectError(res, 409, 'QUOTA_EXCEEDED');
    assert.match(err.detail, pattern);
  };

  it('max_domains', async () => {
    const t = await stack.tenantAdmin('lim-dom');
    const api = stack.api(t.token);
    await setLimits(t.tenantId, { max_domains: 1 });
    assert.equal((await api.post('/api/v1/domains', { name: 'one.lim-dom.example' })).status, 201);
    quota(await api.post('/api/v1/domains', { name: 'two.lim-dom.example' }), /tenant limit max_domains \(1\) reached/);
    // The limit is the tenant's: a platform admin creating for it is held to it too.
    quota(await admin.post('/api/v1/domains', { name: 'three.lim-dom.example', tenant_id: t.tenantId }), /tenant limit max_domains \(1\)/);
    assert.equal(await count('domains', t.tenantId), 1);
    await setLimits(t.tenantId, { max_domains: null });
    assert.equal((await api.post('/api/v1/domains', { name: 'two.lim-dom.example' })).status, 201);
  });

  it('max_mailboxes: the tenant’s and the domain’s effective one', async () => {
    const t = await stack.tenantAdmin('lim-mbx');
    const api = stack.api(t.token);
    for (const name of ['a.lim-mbx.example', 'b.lim-mbx.example']) assert.equal((await api.post('/api/v1/domains', { name })).status, 201);
    await setLimits(t.tenantId, { max_mailboxes: 2 });
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'u1@a.lim-mbx.example', password: PW })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'u2@b.lim-mbx.example', password: PW })).status, 201);
    quota(await api.post('/api/v1/mailboxes', { username: 'u3@a.lim-mbx.example', password: PW }), /tenant limit max_mailboxes \(2\) reached/);
    assert.equal(await count('mailboxes', t.tenantId), 2);
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address = 'u3@a.lim-mbx.example'`)).length, 0);

    await setLimits(t.tenantId, { max_mailboxes: null });
    assert.equal((await put(admin, '/api/v1/domains/a.lim-mbx.example/overrides', { max_mailboxes: 1 })).status, 200);
    quota(
      await api.post('/api/v1/mailboxes', { username: 'u3@a.lim-mbx.example', password: PW }),
      /domain limit max_mailboxes \(1\) of a\.lim-mbx\.example reached/,
    );
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'u3@b.lim-mbx.example', password: PW })).status, 201, 'another domain is not limited');
    // The domain defaults apply to every domain without an override.
    assert.equal((await put(admin, '/api/v1/config/domain-defaults', { max_mailboxes: 2 })).status, 200);
    quota(await api.post('/api/v1/mailboxes', { username: 'u4@b.lim-mbx.example', password: PW }), /domain limit max_mailboxes \(2\) of b\.lim-mbx\.example/);
    assert.equal((await put(admin, '/api/v1/config/domain-defaults', {})).status, 200);
    assert.equal(await count('mailboxes', t.tenantId), 3);
  });

  it('max_aliases: the tenant’s and the domain’s effective one', async () => {
    const t = await stack.tenantAdmin('lim-ali');
    const api = stack.api(t.token);
    for (const name of ['a.lim-ali.example', 'b.lim-ali.example']) assert.equal((await api.post('/api/v1/domains', { name })).status, 201);
    await setLimits(t.tenantId, { max_aliases: 1 });
    assert.equal((await api.post('/api/v1/aliases', { source: 'x@a.lim-ali.example', destinations: ['someone@example.net'] })).status, 201);
    quota(
      await api.post('/api/v1/aliases', { source: 'y@b.lim-ali.example', destinations: ['someone@example.net'] }),
      /tenant limit max_aliases \(1\) reached/,
    );
    assert.equal(await count('aliases', t.tenantId), 1);
    await setLimits(t.tenantId, { max_aliases: null });
    assert.equal((await put(admin, '/api/v1/domains/a.lim-ali.example/overrides', { max_aliases: 1 })).status, 200);
    quota(
      await api.post('/api/v1/aliases', { source: '@a.lim-ali.example', destinations: ['someone@example.net'] }),
      /domain limit max_aliases \(1\) of a\.lim-ali\.example reached/,
    );
    assert.equal(await count('aliases', t.tenantId), 1);
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address = '@a.lim-ali.example'`)).length, 0);
    assert.equal((await api.post('/api/v1/aliases', { source: 'y@b.lim-ali.example', destinations: ['someone@example.net'] })).status, 201);
  });

  it('storage_bytes: sum of mailbox quotas (the default where unset) on create, PATCH and quota override', async () => {
    const t = await stack.tenantAdmin('lim-sto');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'lim-sto.example' })).status, 201);
    await setLimits(t.tenantId, { storage_bytes: 3 * GiB });
    const big = await api.post('/api/v1/mailboxes', { username: 'big@lim-sto.example', password: PW, quota_bytes: 2 * GiB });
    assert.equal(big.status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'dflt@lim-sto.example', password: PW })).status, 201, 'the default 1 GiB fits exactly');
    quota(
      await api.post('/api/v1/mailboxes', { username: 'more@lim-sto.example', password: PW, quota_bytes: 1 }),
      /tenant limit storage_bytes \(3221225472\) exceeded/,
    );
    quota(await api.post('/api/v1/mailboxes', { username: 'more@lim-sto.example', password: PW, quota_bytes: 0 }), /tenant limit storage_bytes .*unlimited/);
    assert.equal(await count('mailboxes', t.tenantId), 2);

    quota(await api.patch('/api/v1/mailboxes/big@lim-sto.example', { quota_bytes: 2 * GiB + 1 }), /tenant limit storage_bytes \(3221225472\)/);
    quota(await put(api, '/api/v1/mailboxes/big@lim-sto.example/overrides', { quota_bytes: 3 * GiB }), /tenant limit storage_bytes \(3221225472\)/);
    const row = async () => (await stack.db.query<{ q: string }>(`SELECT quota_bytes AS q FROM mailboxes WHERE id = $1`, [big.body.id]))[0].q;
    assert.equal(Number(await row()), 2 * GiB);
    assert.equal((await stack.db.query(`SELECT 1 FROM mailbox_overrides WHERE mailbox_id = $1`, [big.body.id])).length, 0);
    // Lowering always works; the room freed can then be used.
    assert.equal((await api.patch('/api/v1/mailboxes/big@lim-sto.example', { quota_bytes: GiB })).status, 200);
    assert.equal((await put(api, '/api/v1/mailboxes/big@lim-sto.example/overrides', { quota_bytes: 2 * GiB })).status, 200);
    await setLimits(t.tenantId, { storage_bytes: GiB });
    assert.equal(
      (await put(api, '/api/v1/mailboxes/big@lim-sto.example/overrides', { quota_bytes: GiB })).status,
      200,
      'shrinking while over the limit is allowed',
    );
  });

  it('quota_total_bytes: the domain’s effective storage', async () => {
    const t = await stack.tenantAdmin('lim-qt');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'lim-qt.example' })).status, 201);
    assert.equal((await put(admin, '/api/v1/domains/lim-qt.example/overrides', { quota_total_bytes: 2 * GiB })).status, 200);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'one@lim-qt.example', password: PW })).status, 201);
    quota(
      await api.post('/api/v1/mailboxes', { username: 'two@lim-qt.example', password: PW, quota_bytes: GiB + 1 }),
      /domain limit quota_total_bytes \(2147483648\) of lim-qt\.example exceeded/,
    );
    quota(await api.patch('/api/v1/mailboxes/one@lim-qt.example', { quota_bytes: 2 * GiB + 1 }), /domain limit quota_total_bytes \(2147483648\)/);
    assert.equal(await count('mailboxes', t.tenantId), 1);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'two@lim-qt.example', password: PW, quota_bytes: GiB })).status, 201);
  });

  it('20 parallel mailbox creates against one free slot: exactly one 201, nineteen 409', async () => {
    const t = await stack.tenantAdmin('lim-race-mbx');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'race-mbx.example' })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'first@race-mbx.example', password: PW })).status, 201);
    await setLimits(t.tenantId, { max_mailboxes: 2 });
    const before = await count('mailboxes', t.tenantId);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.post('/api/v1/mailboxes', { username: `racer${i}@race-mbx.example`, password: PW })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(
      statuses,
      [201, ...Array(19).fill(409)],
      results
        .filter((r) => r.status !== 201 && r.status !== 409)
        .map((r) => r.text)
        .join('\n'),
    );
    for (const r of results.filter((x) => x.status === 409)) quota(r, /tenant limit max_mailboxes \(2\) reached/);
    assert.equal(await count('mailboxes', t.tenantId), before + 1);
  });

  it('20 parallel domain creates against one free slot: exactly one 201, nineteen 409', async () => {
    const t = await stack.tenantAdmin('lim-race-dom');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'first.race-dom.example' })).status, 201);
    await setLimits(t.tenantId, { max_domains: 2 });
    const before = await count('domains', t.tenantId);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => api.post('/api/v1/domains', { name: `d${i}.race-dom.example` })));
    assert.deepEqual(results.map((r) => r.status).sort(), [201, ...Array(19).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) quota(r, /tenant limit max_domains \(2\) reached/);
    assert.equal(await count('domains', t.tenantId), before + 1);
  });

  it('20 parallel alias creates against one free slot of a domain: exactly one 201', async () => {
    const t = await stack.tenantAdmin('lim-race-ali');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'race-ali.example' })).status, 201);
    assert.equal((await put(admin, '/api/v1/domains/race-ali.example/overrides', { max_aliases: 1 })).status, 200);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.post('/api/v1/aliases', { source: `a${i}@race-ali.example`, destinations: ['x@example.net'] })),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, ...Array(19).fill(409)]);
    assert.equal(await count('aliases', t.tenantId), 1);
  });
});
