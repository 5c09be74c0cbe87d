import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

describe('domains (e2e)', () => {
  let stack: TestStack;
  let key: string;

  before(async () => {
    stack = await TestStack.start('domains');
    key = stack.admin.apiKey;
  });
  after(async () => {
    await stack?.stop();
  });

  const count = async () => Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM domains`))[0].n);

  it('full CRUD by UUID and by name', async () => {
    const created = await stack.api(key).post('/api/v1/domains', { name: 'Example.COM', outgoing_ip: '192.0.2.10' });
    assert.equal(created.status, 201);
    assert.equal(created.body.name, 'example.com');
    assert.equal(created.body.active, true);
    assert.equal(created.body.outgoing_ip, '192.0.2.10');
    assert.equal(created.headers.get('location'), `/api/v1/domains/${created.body.id}`);
    const [row] = await stack.db.query<{ name: string; tenant_id: string }>(`SELECT name, tenant_id FROM domains WHERE id = $1`, [created.body.id]);
    assert.equal(row.name, 'example.com');
    assert.ok(row.tenant_id, 'every domain belongs to a tenant');

    const byId = await stack.api(key).get(`/api/v1/domains/${created.body.id}`);
    const byName = await stack.api(key).get('/api/v1/domains/EXAMPLE.com');
    assert.equal(byId.status, 200);
    assert.deepEqual(byName.body, byId.body);

    const patched = await stack.api(key).patch('/api/v1/domains/example.com', { active: false, outgoing_ip: '2001:db8::25' });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.active, false);
    assert.equal(patched.body.outgoing_ip, '2001:db8::25');
    assert.ok(patched.body.updated_at >= created.body.updated_at);
    const back = await stack.api(key).patch(`/api/v1/domains/${created.body.id}`, { outgoing_ip: 'auto' });
    assert.equal(back.body.outgoing_ip, 'auto');
    assert.equal(back.body.active, false);

    const del = await stack.api(key).delete('/api/v1/domains/example.com');
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { message: 'domain deleted' });
    expectError(await stack.api(key).get(`/api/v1/domains/${created.body.id}`), 404, 'NOT_FOUND');
    expectError(await stack.api(key).delete(`/api/v1/domains/${created.body.id}`), 404, 'NOT_FOUND');
    assert.equal((await stack.db.query(`SELECT 1 FROM domains WHERE id = $1`, [created.body.id])).length, 0);
  });

  it('converts IDN to punycode and finds it by either form', async () => {
    const res = await stack.api(key).post('/api/v1/domains', { name: 'Bücher.example' });
    assert.equal(res.status, 201);
    assert.equal(res.body.name, 'xn--bcher-kva.example');
    assert.equal(res.body.name_unicode, 'bücher.example');
    assert.equal((await stack.api(key).get(`/api/v1/domains/${encodeURIComponent('bücher.example')}`)).body.id, res.body.id);
    assert.equal((await stack.api(key).get('/api/v1/domains/xn--bcher-kva.example')).body.id, res.body.id);
  });

  it('a duplicate name (in any case or form) is 409 CONFLICT', async () => {
    assert.equal((await stack.api(key).post('/api/v1/domains', { name: 'dup.example' })).status, 201);
    const before = await count();
    expectError(await stack.api(key).post('/api/v1/domains', { name: 'DUP.example' }), 409, 'CONFLICT');
    expectError(await stack.api(key).post('/api/v1/domains', { name: 'dup.example.' }), 409, 'CONFLICT');
    assert.equal(await count(), before);
  });

  it('rejects invalid input with fields and changes nothing', async () => {
    const before = await count();
    const bad: unknown[] = [
      {},
      { name: '' },
      { name: 'single' },
      { name: '-lead.example' },
      { name: 'trail-.example' },
      { name: 'a..b.example' },
      { name: '192.0.2.1' },
      { name: `${'a'.repeat(64)}.example` },
      { name: `${'abcdefghi.'.repeat(26)}com` },
      { name: 'under_score.example' },
      { name: 'x.123' },
      { name: 'user@example.com' },
      { name: 42 },
      { name: 'ok.example', outgoing_ip: '300.1.1.1' },
      { name: 'ok.example', outgoing_ip: 'automatic' },
      { name: 'ok.example', active: 'yes' },
      { name: 'ok.example', tenant_id: 'not-a-uuid' },
      { name: 'ok.example', color: 'blue' },
    ];
    for (const body of bad) {
      const err = expectError(await stack.api(key).post('/api/v1/domains', body), 400, 'VALIDATION_FAILED');
      assert.ok(err.fields && err.fields.length > 0, `fields for ${JSON.stringify(body)}`);
    }
    expectError(await stack.api(key).post('/api/v1/domains', '[1,2]'), 400, 'VALIDATION_FAILED');
    assert.equal(await count(), before);
  });

  it('PATCH validates and leaves the row unchanged on failure', async () => {
    const d = await stack.api(key).post('/api/v1/domains', { name: 'patchme.example' });
    for (const body of [{}, { name: 'renamed.example' }, { outgoing_ip: 'nope' }, { active: 'false' }, { active: null }]) {
      expectError(await stack.api(key).patch(`/api/v1/domains/${d.body.id}`, body), 400, 'VALIDATION_FAILED');
    }
    const [row] = await stack.db.query<{ name: string; active: boolean; outgoing_ip: string }>(`SELECT name, active, outgoing_ip FROM domains WHERE id = $1`, [
      d.body.id,
    ]);
    assert.deepEqual({ ...row }, { name: 'patchme.example', active: true, outgoing_ip: 'auto' });
    expectError(await stack.api(key).patch('/api/v1/domains/nonexistent.example', { active: false }), 404, 'NOT_FOUND');
  });

  it('paginates, sorts, searches and filters', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, '0')}.list.example`);
    for (const [i, name] of names.entries()) {
      assert.equal((await stack.api(key).post('/api/v1/domains', { name, active: i % 3 !== 0 })).status, 201);
    }
    const p1 = await stack.api(key).get('/api/v1/domains?search=LIST.example&limit=5&page=1');
    assert.equal(p1.status, 200);
    assert.deepEqual(p1.body.meta, { page: 1, limit: 5, total: 12 });
    assert.deepEqual(
      p1.body.data.map((d: { name: string }) => d.name),
      names.slice(0, 5),
    );
    const p3 = await stack.api(key).get('/api/v1/domains?search=list.example&limit=5&page=3');
    assert.deepEqual(
      p3.body.data.map((d: { name: string }) => d.name),
      names.slice(10),
    );
    const past = await stack.api(key).get('/api/v1/domains?search=list.example&limit=5&page=9');
    assert.deepEqual(past.body, { data: [], meta: { page: 9, limit: 5, total: 12 } });
    const desc = await stack.api(key).get('/api/v1/domains?search=list.example&sort=name&order=desc&limit=3');
    assert.deepEqual(
      desc.body.data.map((d: { name: string }) => d.name),
      [...names].reverse().slice(0, 3),
    );
    const inactive = await stack.api(key).get('/api/v1/domains?search=list.example&active=false');
    assert.equal(inactive.body.meta.total, 4);
    assert.ok(inactive.body.data.every((d: { active: boolean }) => d.active === false));
    const byCreated = await stack.api(key).get('/api/v1/domains?search=list.example&sort=created_at&order=asc&limit=1');
    assert.equal(byCreated.body.data[0].name, names[0]);
    const wildcard = await stack.api(key).get('/api/v1/domains?search=%25');
    assert.equal(wildcard.body.meta.total, 0, '% is matched literally');
    const def = await stack.api(key).get('/api/v1/domains');
    assert.equal(def.body.meta.limit, 50);
    assert.equal(def.body.meta.page, 1);
  });

  it('rejects bad list parameters (400)', async () => {
    for (const q of ['sort=password', 'order=sideways', 'limit=0', 'limit=501', 'page=0', 'page=abc', 'active=maybe', 'colour=red', 'tenant_id=x']) {
      const err = expectError(await stack.api(key).get(`/api/v1/domains?${q}`), 400, 'VALIDATION_FAILED');
      assert.ok(err.fields?.length, q);
    }
  });

  it('tenant isolation: tenant B cannot see, change or delete tenant A’s domain', async () => {
    const a = await stack.tenantAdmin('iso-a');
    const b = await stack.tenantAdmin('iso-b');
    const d = await stack.api(a.apiKey).post('/api/v1/domains', { name: 'tenant-a.example' });
    assert.equal(d.status, 201);
    assert.equal(d.body.tenant_id, a.tenantId);
    for (const ref of [d.body.id, 'tenant-a.example']) {
      expectError(await stack.api(b.apiKey).get(`/api/v1/domains/${ref}`), 404, 'NOT_FOUND');
      expectError(await stack.api(b.apiKey).patch(`/api/v1/domains/${ref}`, { active: false }), 404, 'NOT_FOUND');
      expectError(await stack.api(b.apiKey).delete(`/api/v1/domains/${ref}`), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).get(`/api/v1/domains/${ref}`), 404, 'NOT_FOUND');
    }
    const bList = await stack.api(b.apiKey).get('/api/v1/domains?search=tenant-a');
    assert.equal(bList.body.meta.total, 0);
    const [row] = await stack.db.query<{ active: boolean }>(`SELECT active FROM domains WHERE id = $1`, [d.body.id]);
    assert.equal(row.active, true);
    expectError(await stack.api(b.apiKey).post('/api/v1/domains', { name: 'sneaky.example', tenant_id: a.tenantId }), 403, 'FORBIDDEN');
    // Tenant B may not even learn the name is free by creating it in A's name; but a taken name is a conflict for everyone.
    expectError(await stack.api(b.apiKey).post('/api/v1/domains', { name: 'tenant-a.example' }), 409, 'CONFLICT');
    // The platform admin sees every tenant's domains and may create for a tenant.
    assert.equal((await stack.api(key).get(`/api/v1/domains/${d.body.id}`)).status, 200);
    const forB = await stack.api(key).post('/api/v1/domains', { name: 'for-b.example', tenant_id: b.tenantId });
    assert.equal(forB.body.tenant_id, b.tenantId);
    assert.equal((await stack.api(b.apiKey).get('/api/v1/domains/for-b.example')).status, 200);
    expectError(
      await stack.api(key).post('/api/v1/domains', { name: 'ghost.example', tenant_id: '00000000-0000-4000-8000-000000000000' }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('honours a key’s domain allow-list', async () => {
    await stack.api(key).post('/api/v1/domains', { name: 'allowed.example' });
    await stack.api(key).post('/api/v1/domains', { name: 'hidden.example' });
    const limited = await stack
      .api(key)
      .post('/api/v1/api-keys', { name: 'limited', scopes: ['domains:write'], domain_allowlist: ['allowed.example', 'new-allowed.example'] });
    const k = limited.body.key as string;
    const list = await stack.api(k).get('/api/v1/domains');
    assert.deepEqual(
      list.body.data.map((d: { name: string }) => d.name),
      ['allowed.example'],
    );
    assert.equal((await stack.api(k).get('/api/v1/domains/allowed.example')).status, 200);
    expectError(await stack.api(k).get('/api/v1/domains/hidden.example'), 404, 'NOT_FOUND');
    expectError(await stack.api(k).delete('/api/v1/domains/hidden.example'), 404, 'NOT_FOUND');
    expectError(await stack.api(k).post('/api/v1/domains', { name: 'other.example' }), 403, 'FORBIDDEN');
    assert.equal((await stack.api(k).post('/api/v1/domains', { name: 'new-allowed.example' })).status, 201);
  });

  it('handles long and odd paths, huge pages and control characters with 4xx envelopes', async () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(40)}.example`;
    assert.equal((await stack.api(key).post('/api/v1/domains', { name: long })).status, 201);
    assert.equal((await stack.api(key).get(`/api/v1/domains/${long}`)).body.name, long);
    expectError(await stack.api(key).get('/api/v1/domains/%E0%A4%A'), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(key).get('/api/v1/domains?page=99999999999999999999'), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(key).get('/api/v1/domains?page=200000000000000000'), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(key).get('/api/v1/api-keys?page=99999999999'), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(key).get('/api/v1/domains?search=%00'), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(key).get('/api/v1/domains/a%00.example'), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(key).post('/api/v1/api-keys', { name: 'a\u0000b', scopes: ['domains:read'] }), 400, 'VALIDATION_FAILED');
    for (const name of ['xn--zz.com', 'ex%61mple.com', '☃.example']) {
      expectError(await stack.api(key).post('/api/v1/domains', { name }), 400, 'VALIDATION_FAILED');
    }
  });

  it('stores outgoing_ip canonically and refuses addresses nothing can send from', async () => {
    const d = await stack.api(key).post('/api/v1/domains', { name: 'ipv6.example', outgoing_ip: '2001:DB8:0:0::25' });
    assert.equal(d.body.outgoing_ip, '2001:db8::25');
    for (const ip of ['fe80::1%eth0', '0.0.0.0', '::', '224.0.0.1']) {
      expectError(await stack.api(key).patch('/api/v1/domains/ipv6.example', { outgoing_ip: ip }), 400, 'VALIDATION_FAILED');
    }
  });

  it('a bodiless DELETE with Content-Type: application/json works; writes to unknown routes are 404', async () => {
    await stack.api(key).post('/api/v1/domains', { name: 'ct-delete.example' });
    const del = await stack.api(key).delete('/api/v1/domains/ct-delete.example', { 'content-type': 'application/json' });
    assert.equal(del.status, 200);
    expectError(await stack.api(key).request('POST', '/api/v1/no-such-thing'), 404, 'NOT_FOUND');
  });
});
