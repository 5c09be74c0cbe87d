import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiResponse } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

describe('aliases (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let b: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let domainA: { id: string; name: string };

  before(async () => {
    stack = await TestStack.start('aliases');
    a = await stack.tenantAdmin('als-a');
    b = await stack.tenantAdmin('als-b');
    domainA = (await stack.api(a.token).post('/api/v1/domains', { name: 'alias-a.example' })).body;
    assert.equal((await stack.api(b.token).post('/api/v1/domains', { name: 'alias-b.example' })).status, 201);
  });
  after(async () => {
    await stack?.stop();
  });

  const create = (source: string, destinations: string[], credential = a.token) => stack.api(credential).post('/api/v1/aliases', { source, destinations });

  it('full CRUD by UUID and by source, several destinations, normalised', async () => {
    const res = await stack.api(a.token).post('/api/v1/aliases', {
      source: 'Sales@Alias-A.example',
      destinations: ['Bob@Partner.EXAMPLE', 'carol@bücher.example', 'Bob@partner.example'],
      active: true,
    });
    assert.equal(res.status, 201, res.text);
    const al = res.body;
    assert.equal(res.headers.get('location'), `/api/v1/aliases/${al.id}`);
    assert.deepEqual(
      {
        source: al.source,
        destinations: al.destinations,
        catch_all: al.catch_all,
        domain: al.domain,
        domain_id: al.domain_id,
        tenant_id: al.tenant_id,
        active: al.active,
      },
      {
        source: 'sales@alias-a.example',
        destinations: ['Bob@partner.example', 'carol@xn--bcher-kva.example'],
        catch_all: false,
        domain: 'alias-a.example',
        domain_id: domainA.id,
        tenant_id: a.tenantId,
        active: true,
      },
    );
    assert.deepEqual(await stack.db.query(`SELECT owner_kind, owner_id FROM mail_addresses WHERE address = 'sales@alias-a.example'`), [
      { owner_kind: 'alias', owner_id: al.id },
    ]);
    const byId = await stack.api(a.token).get(`/api/v1/aliases/${al.id}`);
    assert.deepEqual((await stack.api(a.token).get('/api/v1/aliases/SALES@alias-a.example')).body, byId.body);

    const patched = await stack.api(a.token).patch('/api/v1/aliases/sales@alias-a.example', { destinations: ['dave@remote.example'], active: false });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual([patched.body.destinations, patched.body.active], [['dave@remote.example'], false]);
    const [row] = await stack.db.query<{ destinations: string[]; active: boolean }>(`SELECT destinations, active FROM aliases WHERE id = $1`, [al.id]);
    assert.deepEqual({ ...row }, { destinations: ['dave@remote.example'], active: false });

    const del = await stack.api(a.token).delete(`/api/v1/aliases/${al.id}`);
    assert.deepEqual([del.status, del.body], [200, { message: 'alias deleted' }]);
    expectError(await stack.api(a.token).get(`/api/v1/aliases/${al.id}`), 404, 'NOT_FOUND');
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address = 'sales@alias-a.example'`)).length, 0);
  });

  it('catch-all source @domain, addressable by its source', async () => {
    const res = await create('@Alias-A.example', ['postmaster@remote.example']);
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.source, '@alias-a.example');
    assert.equal(res.body.catch_all, true);
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address = '@alias-a.example'`)).length, 1);
    assert.equal((await stack.api(a.token).get('/api/v1/aliases/%40alias-a.example')).body.id, res.body.id);
    assert.equal((await stack.api(a.token).get('/api/v1/aliases/@alias-a.example')).body.id, res.body.id);
    expectError(await create('@alias-a.example', ['other@remote.example']), 409, 'CONFLICT');
    assert.equal((await stack.api(a.token).delete('/api/v1/aliases/@alias-a.example')).status, 200);
  });

  it('self-loops and multi-hop cycles (also through catch-alls) are 400', async () => {
    const self = expectError(await create('loop@alias-a.example', ['other@remote.example', 'LOOP@alias-a.example']), 400, 'VALIDATION_FAILED');
    assert.match(self.fields![0].message, /own source/);
    assert.equal((await create('hop1@alias-a.example', ['hop2@alias-a.example'])).status, 201);
    assert.equal((await create('hop2@alias-a.example', ['hop3@alias-a.example'])).status, 201);
    const cycle = expectError(await create('hop3@alias-a.example', ['hop1@alias-a.example']), 400, 'VALIDATION_FAILED');
    assert.match(cycle.fields![0].message, /hop3@alias-a\.example → hop1@alias-a\.example → … → hop3@alias-a\.example/);
    assert.ok(!cycle.fields![0].message.includes('hop2'), 'hops the caller did not name are not shown');
    const long = expectError(
      await create(`${'a'.repeat(64)}.${'b'.repeat(64)}.${'c'.repeat(64)}@alias-a.example`, ['x@remote.example']),
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(long.fields![0].field, 'source');
    // Closing the loop by PATCH is refused too.
    assert.equal((await create('hop3@alias-a.example', ['end@remote.example'])).status, 201);
    expectError(await stack.api(a.token).patch('/api/v1/aliases/hop3@alias-a.example', { destinations: ['hop1@alias-a.example'] }), 400, 'VALIDATION_FAILED');
    // Through a catch-all: unknown@alias-a.example falls to @alias-a.example, which points back.
    assert.equal((await create('ring@alias-a.example', ['end@remote.example'])).status, 201);
    assert.equal((await create('@alias-a.example', ['ring@alias-a.example'])).status, 201);
    const viaCatchAll = expectError(
      await stack.api(a.token).patch('/api/v1/aliases/ring@alias-a.example', { destinations: ['unknown@alias-a.example'] }),
      400,
      'VALIDATION_FAILED',
    );
    assert.match(viaCatchAll.fields![0].message, /@alias-a\.example/);
    // A catch-all whose destination has no mailbox or alias of its own would catch its own mail.
    expectError(await stack.api(a.token).patch('/api/v1/aliases/@alias-a.example', { destinations: ['nobody@alias-a.example'] }), 400, 'VALIDATION_FAILED');
    assert.equal((await stack.db.query(`SELECT 1 FROM aliases WHERE source = 'loop@alias-a.example'`)).length, 0);
    assert.deepEqual(
      (await stack.db.query<{ destinations: string[] }>(`SELECT destinations FROM aliases WHERE source = 'ring@alias-a.example'`))[0].destinations,
      ['end@remote.example'],
    );
    await stack.api(a.token).delete('/api/v1/aliases/@alias-a.example');
  });

  it('validates source and destinations', async () => {
    const bad: [unknown, string][] = [
      [{ source: 'nodomain', destinations: ['x@remote.example'] }, 'source'],
      [{ source: 'a..b@alias-a.example', destinations: ['x@remote.example'] }, 'source'],
      [{ source: 'a/b@alias-a.example', destinations: ['x@remote.example'] }, 'source'],
      [{ source: 'ok@alias-a.example', destinations: [] }, 'destinations'],
      [{ source: 'ok@alias-a.example', destinations: ['not-an-address'] }, 'destinations[0]'],
      [{ source: 'ok@alias-a.example', destinations: ['x@remote.example', 'x@localhost'] }, 'destinations[1]'],
      [{ source: 'ok@alias-a.example', destinations: ['a b@remote.example'] }, 'destinations[0]'],
      [{ source: 'ok@alias-a.example', destinations: 'x@remote.example' }, 'destinations'],
      [{ source: 'ok@alias-a.example', destinations: ['x@remote.example'], colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of bad) {
      const err = expectError(await stack.api(a.token).post('/api/v1/aliases', body), 400, 'VALIDATION_FAILED');
      assert.ok(
        err.fields?.some((f) => f.field === field),
        `${JSON.stringify(body)} → ${JSON.stringify(err.fields)}`,
      );
    }
    expectError(await stack.api(a.token).patch('/api/v1/aliases/hop1@alias-a.example', {}), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(a.token).patch('/api/v1/aliases/hop1@alias-a.example', { destinations: [] }), 400, 'VALIDATION_FAILED');
  });

  it('a source used by a mailbox or another alias is 409', async () => {
    assert.equal(
      (await stack.api(a.token).post('/api/v1/mailboxes', { username: 'boxed', domain: 'alias-a.example', password: 'Str0ng-Passphrase!' })).status,
      201,
    );
    const err = expectError(await create('Boxed@alias-a.example', ['x@remote.example']), 409, 'CONFLICT');
    assert.match(err.detail, /mailbox/);
    expectError(await create('hop1@alias-a.example', ['x@remote.example']), 409, 'CONFLICT');
  });

  it('tenant isolation: the source domain must be the caller’s', async () => {
    const al = (await create('shared@alias-a.example', ['x@remote.example'])).body;
    for (const ref of [al.id, 'shared@alias-a.example']) {
      expectError(await stack.api(b.token).get(`/api/v1/aliases/${ref}`), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).patch(`/api/v1/aliases/${ref}`, { active: false }), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).delete(`/api/v1/aliases/${ref}`), 404, 'NOT_FOUND');
    }
    expectError(await create('steal@alias-a.example', ['x@remote.example'], b.token), 404, 'NOT_FOUND');
    expectError(await create('@alias-a.example', ['x@remote.example'], b.token), 404, 'NOT_FOUND');
    // Destinations may point anywhere, including another tenant's domain.
    assert.equal((await create('fwd@alias-b.example', ['shared@alias-a.example'], b.token)).status, 201);
    assert.equal((await stack.api(b.token).get('/api/v1/aliases')).body.meta.total, 1);
  });

  it('scopes: aliases:read cannot write; no aliases scope is 403', async () => {
    const ro = await stack.api(a.token).post('/api/v1/api-keys', { name: 'als-ro', scopes: ['aliases:read'] });
    const other = await stack.api(a.token).post('/api/v1/api-keys', { name: 'als-none', scopes: ['mailboxes:write'] });
    expectError(await stack.api(other.body.key).get('/api/v1/aliases'), 403, 'INSUFFICIENT_SCOPE');
    assert.equal((await stack.api(ro.body.key).get('/api/v1/aliases')).status, 200);
    expectError(await create('ro@alias-a.example', ['x@remote.example'], ro.body.key), 403, 'INSUFFICIENT_SCOPE');
    expectError(await stack.api(ro.body.key).delete('/api/v1/aliases/hop1@alias-a.example'), 403, 'INSUFFICIENT_SCOPE');
  });

  it('paginates, sorts, searches and filters', async () => {
    const d = (await stack.api(a.token).post('/api/v1/domains', { name: 'alias-list.example' })).body;
    const names = Array.from({ length: 7 }, (_, i) => `list${i}`);
    for (const [i, n] of names.entries()) {
      const r = await stack
        .api(a.token)
        .post('/api/v1/aliases', { source: `${n}@alias-list.example`, destinations: ['x@remote.example'], active: i % 2 === 0 });
      assert.equal(r.status, 201, r.text);
    }
    const src = (r: ApiResponse) => r.body.data.map((x: { source: string }) => x.source.split('@')[0]);
    const p1 = await stack.api(a.token).get('/api/v1/aliases?domain=alias-list.example&limit=3');
    assert.deepEqual([p1.body.meta, src(p1)], [{ page: 1, limit: 3, total: 7 }, names.slice(0, 3)]);
    assert.deepEqual(src(await stack.api(a.token).get(`/api/v1/aliases?domain=${d.id}&limit=3&page=3`)), ['list6']);
    assert.deepEqual(src(await stack.api(a.token).get('/api/v1/aliases?domain=alias-list.example&sort=source&order=desc&limit=2')), ['list6', 'list5']);
    assert.equal((await stack.api(a.token).get('/api/v1/aliases?domain=alias-list.example&active=false')).body.meta.total, 3);
    assert.deepEqual(src(await stack.api(a.token).get('/api/v1/aliases?search=LIST3')), ['list3']);
    for (const q of ['sort=destinations', 'order=up', 'limit=0', 'active=maybe']) {
      expectError(await stack.api(a.token).get(`/api/v1/aliases?${q}`), 400, 'VALIDATION_FAILED');
    }
  });

  it('mailbox-service down (last test): 503 DEPENDENCY_UNAVAILABLE and /health 503 naming it', async () => {
    await stack.mailboxService.stop();
    expectError(await stack.api(a.token).get('/api/v1/aliases'), 503, 'DEPENDENCY_UNAVAILABLE');
    expectError(await stack.api(a.token).get('/api/v1/mailboxes'), 503, 'DEPENDENCY_UNAVAILABLE');
    const health = await stack.api().get('/health');
    assert.equal(health.status, 503);
    assert.equal(health.body.details['mailbox-service'].status, 'down');
    assert.equal(health.body.details['domain-service'].status, 'up');
  });
});
