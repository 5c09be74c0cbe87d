import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { EventSubjects, RECONCILE_EVENTS } from '#contracts';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { waitFor } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

const GiB = 1024 * 1024 * 1024;
const PW = 'Str0ng-Passphrase!';

interface SeenEvent {
  subject: string;
  data: Record<string, unknown>;
  /**
   * The tenant row's active flag read on arrival (null = no row; undefined = not read yet): a consumer
   * that reads the database when the event comes (the reconcile does) must see the change.
   */
  committed?: boolean | null;
}

/** Tenants CRUD, usage, suspension (credentials, mail-stack views, events) and deletion (platform admins only). */
describe('tenants (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;
  let nc: NatsConnection;
  const seen: SeenEvent[] = [];

  before(async () => {
    // A long auth cache: suspension must still be immediate on this replica (the cache is dropped).
    stack = await TestStack.start('tenants', { authCacheTtlMs: 60_000 });
    admin = stack.api(stack.admin.apiKey);
    // Every event on the stack's bus, as the worker's reconcile trigger hears them.
    // As the worker's bus user: the one that may hear events.
    nc = await stack.nats.connect('worker');
    nc.subscribe(EventSubjects.All, {
      callback: (err, msg) => {
        if (err) return;
        const data = msg.json<Record<string, unknown>>();
        const ev: SeenEvent = { subject: msg.subject, data };
        seen.push(ev);
        if (typeof data.tenant_id === 'string') {
          void stack.db
            .query<{ active: boolean }>(`SELECT active FROM tenants WHERE id = $1`, [data.tenant_id])
            .then((r) => (ev.committed = r[0]?.active ?? null));
        }
      },
    });
    await nc.flush();
  });
  after(async () => {
    await nc?.close();
    await stack?.stop();
  });

  const tenantRow = async (name: string) => (await stack.db.query<Record<string, unknown>>(`SELECT * FROM tenants WHERE name = $1`, [name]))[0];
  const count = async (table: string, tenantId: string) =>
    Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]))[0].n);
  /** Reads a mail-stack view as Postfix/Dovecot do: as the read-only role. */
  const asMailstack = async (sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: stack.db.url });
    await c.connect();
    try {
      await c.query('SET ROLE mailplane_mailstack');
      return (await c.query(sql, params)).rows as Record<string, unknown>[];
    } finally {
      await c.end();
    }
  };
  const inView = async (view: string, column: string, value: string) =>
    (await asMailstack(`SELECT 1 FROM mailstack.${view} WHERE ${column} = $1`, [value])).length > 0;

  it('creates, lists, gets by id and name, updates and rejects bad input without changing anything', async () => {
    const res = await admin.post('/api/v1/tenants', { name: 'acme', max_domains: 5, max_mailboxes: 0, storage_bytes: 10 * GiB });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), `/api/v1/tenants/${res.body.id}`);
    assert.deepEqual(
      { ...res.body, id: undefined, created_at: undefined, updated_at: undefined },
      {
        id: undefined,
        name: 'acme',
        active: true,
        platform: false,
        max_domains: 5,
        max_mailboxes: 0,
        max_aliases: null,
        storage_bytes: 10 * GiB,
        created_at: undefined,
        updated_at: undefined,
        usage: { domains: 0, mailboxes: 0, aliases: 0, storage_bytes: 0, unlimited_mailboxes: 0 },
        over_limits: [],
      },
    );
    const row = await tenantRow('acme');
    assert.equal(row.max_mailboxes, 0);
    assert.equal(row.max_aliases, null);
    assert.equal(Number(row.storage_bytes), 10 * GiB);

    assert.equal((await admin.get(`/api/v1/tenants/${res.body.id}`)).body.name, 'acme');
    assert.equal((await admin.get('/api/v1/tenants/acme')).body.id, res.body.id);
    expectError(await admin.get('/api/v1/tenants/nope'), 404, 'NOT_FOUND');
    expectError(await admin.get('/api/v1/tenants/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');

    expectError(await admin.post('/api/v1/tenants', { name: 'acme' }), 409, 'CONFLICT');
    for (const bad of [
      {},
      { name: '' },
      { name: 'has space' },
      { name: 'x'.repeat(101) },
      { name: 'ok', max_domains: -1 },
      { name: 'ok', max_mailboxes: 1.5 },
      { name: 'ok', storage_bytes: '10' },
      { name: 'ok', active: 'yes' },
      { name: 'ok', unknown: 1 },
      { name: 'ok', active: null },
      { name: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' },
    ]) {
      const r = expectError(await admin.post('/api/v1/tenants', bad), 400, 'VALIDATION_FAILED');
      assert.ok(r.fields?.length, JSON.stringify(bad));
    }
    assert.equal(await tenantRow('ok'), undefined);
    assert.equal(await tenantRow('0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'), undefined);

    const before = await tenantRow('acme');
    for (const bad of [{ name: 'bad name' }, { max_aliases: -5 }, { storage_bytes: 'x' }, { id: 'x' }]) {
      expectError(await admin.patch('/api/v1/tenants/acme', bad), 400, 'VALIDATION_FAILED');
    }
    assert.deepEqual(await tenantRow('acme'), before);

    const other = await admin.post('/api/v1/tenants', { name: 'acme-2' });
    assert.equal(other.status, 201);
    expectError(await admin.patch('/api/v1/tenants/acme-2', { name: 'acme' }), 409, 'CONFLICT');
    const upd = await admin.patch('/api/v1/tenants/acme-2', { name: 'acme-two', max_aliases: 3, storage_bytes: null });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.name, 'acme-two');
    assert.equal(upd.body.max_aliases, 3);
    assert.equal((await tenantRow('acme-two')).max_aliases, 3);

    const list = await admin.get('/api/v1/tenants?search=ACME&sort=name&order=desc');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.data.map((t: { name: string }) => t.name),
      ['acme-two', 'acme'],
    );
    assert.equal(list.body.meta.total, 2);
    assert.equal((await admin.patch('/api/v1/tenants/acme-two', { active: false })).status, 200);
    const inactive = await admin.get('/api/v1/tenants?active=false');
    assert.deepEqual(
      inactive.body.data.map((t: { name: string }) => t.name),
      ['acme-two'],
    );
    expectError(await admin.get('/api/v1/tenants?sort=bogus'), 400, 'VALIDATION_FAILED');
    expectError(await admin.get('/api/v1/tenants?active=maybe'), 400, 'VALIDATION_FAILED');
  });

  it('usage counts what was created through the API; lowering a limit below usage is allowed and shown', async () => {
    const t = await stack.tenantAdmin('usage');
    const api = stack.api(t.token);
    for (const name of ['a.usage.example', 'b.usage.example']) assert.equal((await api.post('/api/v1/domains', { name })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'u1@a.usage.example', password: PW })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'u2@b.usage.example', password: PW, quota_bytes: 2 * GiB })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'u3@b.usage.example', password: PW, quota_bytes: 0 })).status, 201);
    assert.equal((await api.post('/api/v1/aliases', { source: 'x@a.usage.example', destinations: ['u1@a.usage.example'] })).status, 201);

    const got = await admin.get(`/api/v1/tenants/${t.tenantId}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.usage, { domains: 2, mailboxes: 3, aliases: 1, storage_bytes: 3 * GiB, unlimited_mailboxes: 1 });
    assert.deepEqual(got.body.over_limits, []);

    const lowered = await admin.patch('/api/v1/tenants/usage', { max_domains: 1, max_mailboxes: 3, max_aliases: 0, storage_bytes: 100 * GiB });
    assert.equal(lowered.status, 200, lowered.text);
    assert.deepEqual(lowered.body.over_limits, ['max_domains', 'max_aliases', 'storage_bytes']);
    // Enforced for new items.
    expectError(await api.post('/api/v1/domains', { name: 'c.usage.example' }), 409, 'QUOTA_EXCEEDED');
    assert.equal(await count('domains', t.tenantId), 2);
  });

  it('the list carries each tenant’s own usage and over_limits, exactly as the detail does, on every page and sort', async () => {
    const a = await stack.tenantAdmin('list-a');
    const b = await stack.tenantAdmin('list-b');
    assert.equal((await admin.post('/api/v1/tenants', { name: 'list-c', max_domains: 0 })).status, 201);
    const apiA = stack.api(a.token);
    const apiB = stack.api(b.token);
    for (const name of ['a1.list.example', 'a2.list.example']) assert.equal((await apiA.post('/api/v1/domains', { name })).status, 201);
    assert.equal((await apiA.post('/api/v1/mailboxes', { username: 'm1@a1.list.example', password: PW })).status, 201);
    assert.equal((await apiA.post('/api/v1/mailboxes', { username: 'm2@a2.list.example', password: PW, quota_bytes: 2 * GiB })).status, 201);
    assert.equal((await apiA.post('/api/v1/mailboxes', { username: 'm3@a2.list.example', password: PW, quota_bytes: 0 })).status, 201);
    for (const source of ['x@a1.list.example', 'y@a2.list.example']) {
      assert.equal((await apiA.post('/api/v1/aliases', { source, destinations: ['m1@a1.list.example'] })).status, 201);
    }
    assert.equal((await apiB.post('/api/v1/domains', { name: 'b.list.example' })).status, 201);
    assert.equal((await apiB.post('/api/v1/mailboxes', { username: 'm@b.list.example', password: PW, quota_bytes: 5 * GiB })).status, 201);

    const expected: Record<string, object> = {
      'list-a': { domains: 2, mailboxes: 3, aliases: 2, storage_bytes: 3 * GiB, unlimited_mailboxes: 1 },
      'list-b': { domains: 1, mailboxes: 1, aliases: 0, storage_bytes: 5 * GiB, unlimited_mailboxes: 0 },
      'list-c': { domains: 0, mailboxes: 0, aliases: 0, storage_bytes: 0, unlimited_mailboxes: 0 },
    };
    type Item = { id: string; name: string; usage: { domains: number; mailboxes: number; aliases: number }; over_limits: string[] };
    const list = await admin.get('/api/v1/tenants?search=list-&sort=name');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.body.data.map((t: Item) => t.name),
      ['list-a', 'list-b', 'list-c'],
    );
    for (const t of list.body.data as Item[]) {
      assert.deepEqual(t.usage, expected[t.name], t.name);
      // The counts are the rows in the database…
      assert.deepEqual(
        [t.usage.domains, t.usage.mailboxes, t.usage.aliases],
        [await count('domains', t.id), await count('mailboxes', t.id), await count('aliases', t.id)],
      );
      // …and the item is what GET /tenants/{id} answers.
      assert.deepEqual(t, (await admin.get(`/api/v1/tenants/${t.id}`)).body, t.name);
    }
    // Pages of one, in reverse: each usage stays with its own tenant.
    for (const [page, name] of [
      [1, 'list-c'],
      [2, 'list-b'],
      [3, 'list-a'],
    ] as const) {
      const one = await admin.get(`/api/v1/tenants?search=list-&sort=name&order=desc&limit=1&page=${page}`);
      assert.equal(one.status, 200, one.text);
      assert.deepEqual(
        one.body.data.map((t: Item) => [t.name, t.usage]),
        [[name, expected[name]]],
      );
      assert.equal(one.body.meta.total, 3);
    }
    const past = await admin.get('/api/v1/tenants?search=list-&limit=1&page=9');
    assert.deepEqual([past.body.data, past.body.meta.total], [[], 3]);

    // over_limits shows in the list too (list-c: max_domains 0 and no domain is not over).
    assert.equal((await admin.patch('/api/v1/tenants/list-a', { max_mailboxes: 2, storage_bytes: 10 * GiB })).status, 200);
    assert.equal((await admin.patch('/api/v1/tenants/list-b', { max_domains: 0 })).status, 200);
    const over = await admin.get('/api/v1/tenants?search=list-&sort=updated_at&order=desc');
    assert.deepEqual(Object.fromEntries(over.body.data.map((t: Item) => [t.name, t.over_limits])), {
      'list-a': ['max_mailboxes', 'storage_bytes'],
      'list-b': ['max_domains'],
      'list-c': [],
    });
    // A new item shows at once.
    assert.equal((await apiB.post('/api/v1/aliases', { source: 'z@b.list.example', destinations: ['m@b.list.example'] })).status, 201);
    const afterAlias = await admin.get('/api/v1/tenants?search=list-b');
    assert.equal(afterAlias.body.data[0].usage.aliases, 1);
  });

  it('tenant callers get 403 on every tenant route, with a token or a key', async () => {
    const t = await stack.tenantAdmin('outsider');
    // The account's token carries every scope its role allows (tenants:* is not among them); its key cannot hold tenants:*.
    const forbidden = (res: Awaited<ReturnType<ApiClient['get']>>) => {
      assert.equal(res.status, 403, res.text);
      assert.ok(['FORBIDDEN', 'INSUFFICIENT_SCOPE'].includes(res.body.code), res.text);
      assert.match(res.body.detail, /tenants:(read|write)|role tenant_admin/);
    };
    for (const cred of [t.token, t.apiKey]) {
      const api = stack.api(cred);
      forbidden(await api.get('/api/v1/tenants'));
      forbidden(await api.post('/api/v1/tenants', { name: 'sneaky' }));
      forbidden(await api.get(`/api/v1/tenants/${t.tenantId}`));
      forbidden(await api.patch(`/api/v1/tenants/${t.tenantId}`, { max_domains: 100 }));
      forbidden(await api.delete(`/api/v1/tenants/${t.tenantId}?cascade=true`));
    }
    expectError(await stack.api(t.token).post('/api/v1/api-keys', { name: 'escalate', scopes: ['tenants:read'] }), 403, 'FORBIDDEN');
    assert.equal(await tenantRow('sneaky'), undefined);
    assert.equal((await tenantRow('outsider')).max_domains, null);
  });

  it('suspending refuses the tenant’s key and JWT at once and takes its domains out of the mail stack; resuming restores both', async () => {
    const t = await stack.tenantAdmin('susp');
    const bystander = await stack.tenantAdmin('bystander');
    const api = stack.api(t.token);
    const key = stack.api(t.apiKey);
    assert.equal((await api.post('/api/v1/domains', { name: 'susp.example' })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'box@susp.example', password: PW })).status, 201);
    assert.equal((await api.post('/api/v1/aliases', { source: 'al@susp.example', destinations: ['box@susp.example'] })).status, 201);
    assert.equal((await stack.api(bystander.token).post('/api/v1/domains', { name: 'bystander.example' })).status, 201);
    // Warm this replica's auth cache (60 s TTL) for both credentials.
    assert.equal((await key.get('/api/v1/domains')).status, 200);
    assert.equal((await api.get('/api/v1/domains')).status, 200);
    assert.ok(await inView('virtual_domains', 'domain', 'susp.example'));
    assert.ok(await inView('users', 'username', 'box@susp.example'));
    // The re-created views are still security barriers.
    const barriers = await stack.db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'mailstack' AND c.relkind = 'v' AND 'security_barrier=true' = ANY (c.reloptions) ORDER BY 1`,
    );
    assert.deepEqual(
      barriers.map((r) => r.relname),
      [
        'domain_limits',
        'require_tls_client',
        'require_tls_inbound',
        'sending_limits',
        'transport',
        'users',
        'virtual_aliases',
        'virtual_domains',
        'virtual_mailboxes',
      ],
    );

    const s = await admin.patch('/api/v1/tenants/susp', { active: false });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.active, false);
    const viaKey = expectError(await key.get('/api/v1/domains'), 401, 'UNAUTHORIZED');
    assert.match(viaKey.detail, /suspended/);
    const viaJwt = expectError(await api.get('/api/v1/domains'), 401, 'UNAUTHORIZED');
    assert.match(viaJwt.detail, /suspended/);
    expectError(await stack.api().post('/api/v1/auth/login', { email: t.email, password: t.password }), 401, 'UNAUTHORIZED');
    for (const [view, column, value] of [
      ['virtual_domains', 'domain', 'susp.example'],
      ['transport', 'domain', 'susp.example'],
      ['virtual_mailboxes', 'address', 'box@susp.example'],
      ['users', 'username', 'box@susp.example'],
      ['virtual_aliases', 'source', 'al@susp.example'],
      ['virtual_aliases', 'source', 'box@susp.example'],
    ])
      assert.equal(await inView(view, column, value), false, `${view} ${value}`);
    // Rows stay; another tenant is untouched.
    assert.equal(await count('mailboxes', t.tenantId), 1);
    assert.ok(await inView('virtual_domains', 'domain', 'bystander.example'));
    assert.equal((await stack.api(bystander.apiKey).get('/api/v1/domains')).status, 200);

    assert.equal((await admin.patch(`/api/v1/tenants/${t.tenantId}`, { active: true })).status, 200);
    assert.equal((await key.get('/api/v1/domains')).status, 200);
    assert.equal((await api.get('/api/v1/domains')).status, 200);
    assert.ok(await inView('virtual_domains', 'domain', 'susp.example'));
    assert.ok(await inView('users', 'username', 'box@susp.example'));
    assert.ok(await inView('virtual_aliases', 'source', 'al@susp.example'));
  });

  it('delete: 409 naming the counts while it owns domains; cascade removes everything of it and nothing else', async () => {
    const t = await stack.tenantAdmin('doomed');
    const keep = await stack.tenantAdmin('keeper');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'doomed.example' })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'box@doomed.example', password: PW })).status, 201);
    assert.equal((await api.post('/api/v1/aliases', { source: 'al@doomed.example', destinations: ['box@doomed.example'] })).status, 201);
    const dkim = await admin.post('/api/v1/dkim', { domain: 'doomed.example', algorithm: 'ed25519' });
    assert.equal(dkim.status, 201, dkim.text);
    const kApi = stack.api(keep.token);
    assert.equal((await kApi.post('/api/v1/domains', { name: 'keeper.example' })).status, 201);
    assert.equal((await kApi.post('/api/v1/mailboxes', { username: 'box@keeper.example', password: PW })).status, 201);

    const refused = expectError(await admin.delete('/api/v1/tenants/doomed'), 409, 'CONFLICT');
    assert.match(refused.detail, /1 domain\(s\), 1 mailbox\(es\) and 1 alias\(es\)/);
    assert.ok(await tenantRow('doomed'));
    expectError(await admin.delete('/api/v1/tenants/doomed?cascade=perhaps'), 400, 'VALIDATION_FAILED');

    const del = await admin.delete('/api/v1/tenants/doomed?cascade=true');
    assert.equal(del.status, 200, del.text);
    assert.equal(await tenantRow('doomed'), undefined);
    for (const table of ['domains', 'mailboxes', 'aliases', 'dkim_keys', 'accounts', 'api_keys']) assert.equal(await count(table, t.tenantId), 0, table);
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address LIKE '%@doomed.example'`)).length, 0);
    expectError(await stack.api(t.apiKey).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
    expectError(await api.get('/api/v1/domains'), 401, 'UNAUTHORIZED');
    // The other tenant keeps everything.
    assert.equal(await count('domains', keep.tenantId), 1);
    assert.equal(await count('mailboxes', keep.tenantId), 1);
    assert.equal((await stack.api(keep.apiKey).get('/api/v1/domains')).status, 200);
    assert.equal((await stack.db.query(`SELECT 1 FROM mail_addresses WHERE address = 'box@keeper.example'`)).length, 1);

    const empty = await admin.post('/api/v1/tenants', { name: 'empty' });
    assert.equal((await admin.delete(`/api/v1/tenants/${empty.body.id}`)).status, 200);
    assert.equal(await tenantRow('empty'), undefined);
    expectError(await admin.delete('/api/v1/tenants/empty'), 404, 'NOT_FOUND');
  });

  it('usage and deletion are asked of the services that own the rows: with mailbox-service down both answer 503; the tenant stays, suspended, and a repeat finishes', async () => {
    const t = await stack.tenantAdmin('halfway');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'halfway.example' })).status, 201);
    assert.equal((await api.post('/api/v1/mailboxes', { username: 'box@halfway.example', password: PW })).status, 201);
    await stack.mailboxService.stop();
    try {
      expectError(await admin.get(`/api/v1/tenants/${t.tenantId}`), 503, 'DEPENDENCY_UNAVAILABLE');
      expectError(await admin.delete(`/api/v1/tenants/${t.tenantId}?cascade=true`), 503, 'DEPENDENCY_UNAVAILABLE');
      // The gateway deleted nothing it does not own: the rows wait for their owner.
      assert.equal(await count('domains', t.tenantId), 1);
      assert.equal(await count('mailboxes', t.tenantId), 1);
      assert.equal((await tenantRow('halfway'))?.active, false, 'suspended first, so nothing new lands meanwhile');
    } finally {
      await stack.startMailboxService();
    }
    const del = await admin.delete(`/api/v1/tenants/${t.tenantId}?cascade=true`);
    assert.equal(del.status, 200, del.text);
    assert.equal(await tenantRow('halfway'), undefined);
    for (const table of ['domains', 'mailboxes']) assert.equal(await count(table, t.tenantId), 0, table);
  });

  it('suspend, resume and delete each publish one tenant event after the commit, and a reconcile follows; renames, limits and repeats publish none', async () => {
    const tenantSubjects: string[] = [EventSubjects.TenantSuspended, EventSubjects.TenantResumed, EventSubjects.TenantDeleted];
    const domainSubjects: string[] = [EventSubjects.DomainCreated, EventSubjects.DomainUpdated, EventSubjects.DomainDeleted];
    assert.ok(
      tenantSubjects.every((s) => RECONCILE_EVENTS.includes(s)),
      'the worker reconciles after each',
    );
    const t = await stack.tenantAdmin('evented');
    const api = stack.api(t.token);
    assert.equal((await api.post('/api/v1/domains', { name: 'evented.example' })).status, 201);
    const key = await admin.post('/api/v1/dkim', { domain: 'evented.example', algorithm: 'rsa-1024' });
    assert.equal(key.status, 201, key.text);
    assert.equal(key.body.signing, true);
    const mine = () => seen.filter((e) => e.data.tenant_id === t.tenantId && tenantSubjects.includes(e.subject));
    const arrived = (n: number) => waitFor(`${n} tenant event(s)`, async () => mine().length >= n && mine().every((e) => e.committed !== undefined));
    const autoReconciles = async () => stack.db.query<{ state: string }>(`SELECT state FROM jobs WHERE type = 'reconcile' AND created_by IS NULL`);
    // The set-up's domain and key events asked for a reconcile: let it end, so the suspension opens a new one.
    await waitFor('set-up reconcile ended', async () => {
      const rows = await autoReconciles();
      return rows.length > 0 && rows.every((r) => ['completed', 'failed'].includes(r.state));
    });
    await new Promise((r) => setTimeout(r, 1000));
    const reconcilesBefore = (await autoReconciles()).length;

    // None of these changes what the mail stack serves.
    assert.equal((await admin.patch('/api/v1/tenants/evented', { name: 'evented-2' })).status, 200);
    assert.equal((await admin.patch('/api/v1/tenants/evented-2', { max_domains: 5, storage_bytes: GiB })).status, 200);
    assert.equal((await admin.patch('/api/v1/tenants/evented-2', { active: true })).status, 200);

    const s = await admin.patch('/api/v1/tenants/evented-2', { active: false });
    assert.equal(s.status, 200, s.text);
    await arrived(1);
    // One publisher connection keeps order: had the calls above published anything, it would be here first.
    assert.deepEqual(
      mine().map((e) => [e.subject, e.data.tenant, e.committed]),
      [[EventSubjects.TenantSuspended, 'evented-2', false]],
    );
    assert.match(String(mine()[0].data.at), /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(Object.keys(mine()[0].data).sort(), ['at', 'tenant', 'tenant_id']);
    // The worker heard it: an automatic reconcile job (it fails here, this stack has no mail daemons).
    await waitFor('automatic reconcile after the suspension', async () => (await autoReconciles()).length > reconcilesBefore);
    // The key stays, but no longer signs: the same rule the reconcile renders OpenDKIM's tables from.
    assert.equal((await admin.get('/api/v1/dkim/evented.example')).body.signing, false);

    assert.equal((await admin.patch('/api/v1/tenants/evented-2', { active: false })).status, 200);
    assert.equal((await admin.patch(`/api/v1/tenants/${t.tenantId}`, { active: true })).status, 200);
    await arrived(2);
    assert.deepEqual(
      mine().map((e) => [e.subject, e.data.tenant, e.committed]),
      [
        [EventSubjects.TenantSuspended, 'evented-2', false],
        [EventSubjects.TenantResumed, 'evented-2', true],
      ],
    );
    assert.equal((await admin.get('/api/v1/dkim/evented.example')).body.signing, true);

    assert.equal((await admin.delete('/api/v1/tenants/evented-2?cascade=true')).status, 200);
    await arrived(3);
    const deleted = mine()[2];
    assert.deepEqual([deleted.subject, deleted.data.tenant_id, deleted.data.tenant], [EventSubjects.TenantDeleted, t.tenantId, 'evented-2']);
    assert.equal(deleted.committed, null, 'the row was gone when the event arrived');
    assert.equal(mine().length, 3);
    // One tenant event stands for all its domains: no per-domain events on suspend, resume or cascade delete.
    assert.deepEqual(
      seen.filter((e) => e.data.domain === 'evented.example' && domainSubjects.includes(e.subject)).map((e) => e.subject),
      [EventSubjects.DomainCreated],
    );
  });

  it('the platform tenant cannot be suspended, renamed or deleted', async () => {
    const list = await admin.get('/api/v1/tenants');
    const platform = list.body.data.find((t: { platform: boolean }) => t.platform);
    assert.ok(platform, 'the seeded tenant is flagged');
    const before = await tenantRow(platform.name);
    expectError(await admin.patch(`/api/v1/tenants/${platform.id}`, { active: false }), 409, 'CONFLICT');
    expectError(await admin.patch(`/api/v1/tenants/${platform.id}`, { name: 'renamed' }), 409, 'CONFLICT');
    expectError(await admin.delete(`/api/v1/tenants/${platform.id}?cascade=true`), 409, 'CONFLICT');
    assert.deepEqual(await tenantRow(platform.name), before);
    // Its limits may still be changed.
    assert.equal((await admin.patch(`/api/v1/tenants/${platform.id}`, { max_aliases: null })).status, 200);
    assert.equal((await admin.get('/api/v1/domains')).status, 200);
  });
});
