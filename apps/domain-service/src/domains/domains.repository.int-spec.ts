import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { EventPublisher, loadConfig } from '#common';
import { createDataSource } from '#database';
import { EventSubjects, type CallerContext } from '#contracts';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/database.js';
import { startNats, type NatsServer } from '../../../../test/helpers/processes.js';
import { DomainsRepository } from './domains.repository.js';
import { DomainsService } from './domains.service.js';

/** The service's rules against a real PostgreSQL: tenant scoping is in every statement. */
describe('DomainsService + repository against PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let svc: DomainsService;
  let events: EventPublisher;
  let nc: NatsConnection;
  let nats: NatsServer;
  let tenantA: string;
  let tenantB: string;
  const ctx = (tenant: string | null, allow: string[] | null = null, home = tenant): CallerContext => ({
    tenant_id: tenant,
    domain_allowlist: allow,
    home_tenant_id: home,
  });

  before(async () => {
    db = await createTestDatabase('domains_repo');
    ds = createDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
    nats = await startNats();
    events = await EventPublisher.connect(loadConfig({ NATS_URL: nats.url, ...nats.credentials('domain-service') }), 'domain-service');
    // As the worker's bus user: the one that hears events.
    nc = await nats.connect('worker');
    svc = new DomainsService(new DomainsRepository(ds), events);
    [tenantA, tenantB] = (await db.query<{ id: string }>(`INSERT INTO tenants (name) VALUES ('a'), ('b') RETURNING id`)).map((r) => r.id);
  });
  after(async () => {
    await events?.close();
    await nc?.close();
    await nats?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  it('creates in the caller’s tenant and refuses another tenant for non-platform callers', async () => {
    const d = await svc.create(ctx(tenantA), { name: 'A-one.example' });
    assert.equal(d.tenant_id, tenantA);
    assert.equal(d.name, 'a-one.example');
    await assert.rejects(svc.create(ctx(tenantA), { name: 'x.example', tenant_id: tenantB }), { apiCode: 'FORBIDDEN' });
    const platform = await svc.create(ctx(null, null, tenantA), { name: 'b-one.example', tenant_id: tenantB });
    assert.equal(platform.tenant_id, tenantB);
  });

  it('conflicts on a duplicate name across tenants', async () => {
    await assert.rejects(svc.create(ctx(tenantB), { name: 'a-one.example' }), { apiCode: 'CONFLICT' });
  });

  it('scopes get, update and delete to the tenant and the allow-list', async () => {
    await assert.rejects(svc.get(ctx(tenantB), 'a-one.example'), { apiCode: 'NOT_FOUND' });
    await assert.rejects(svc.update(ctx(tenantB), 'a-one.example', { active: false }), { apiCode: 'NOT_FOUND' });
    await assert.rejects(svc.delete(ctx(tenantB), 'a-one.example'), { apiCode: 'NOT_FOUND' });
    await assert.rejects(svc.get(ctx(tenantA, ['other.example']), 'a-one.example'), { apiCode: 'NOT_FOUND' });
    const [row] = await db.query<{ active: boolean }>(`SELECT active FROM domains WHERE name = 'a-one.example'`);
    assert.equal(row.active, true);
    assert.equal((await svc.get(ctx(null), 'a-one.example')).tenant_id, tenantA);
  });

  it('counts the total past the last page', async () => {
    for (let i = 0; i < 7; i++) await svc.create(ctx(tenantA), { name: `p${i}.paging.example` });
    const past = await svc.list(ctx(tenantA), { search: 'paging', page: 5, limit: 3 });
    assert.deepEqual(past.meta, { page: 5, limit: 3, total: 7 });
    assert.equal(past.data.length, 0);
    const last = await svc.list(ctx(tenantA), { search: 'paging', page: 3, limit: 3 });
    assert.equal(last.data.length, 1);
    assert.equal(last.meta.total, 7);
    const other = await svc.list(ctx(tenantB), { search: 'paging' });
    assert.equal(other.meta.total, 0);
  });

  it('matches search text literally (no LIKE wildcards from the caller)', async () => {
    assert.equal((await svc.list(ctx(null), { search: '_' })).meta.total, 0);
    assert.equal((await svc.list(ctx(null), { search: 'p_.paging' })).meta.total, 0);
  });

  it('publishes created, updated and deleted events after the commit, with ids and the name only', async () => {
    const seen: { subject: string; data: Record<string, unknown> }[] = [];
    const sub = nc.subscribe('events.domain.*', { callback: (_e, m) => void seen.push({ subject: m.subject, data: m.json() }) });
    await nc.flush();
    const d = await svc.create(ctx(tenantA), { name: 'events.example' });
    await svc.update(ctx(tenantA), d.id, { active: false });
    await svc.delete(ctx(tenantA), d.id);
    await assert.rejects(svc.delete(ctx(tenantA), d.id));
    await events.close(); // drains: every published event is on the wire
    const deadline = Date.now() + 2000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    sub.unsubscribe();
    assert.deepEqual(
      seen.map((e) => e.subject),
      [EventSubjects.DomainCreated, EventSubjects.DomainUpdated, EventSubjects.DomainDeleted],
    );
    for (const e of seen) {
      assert.equal(e.data.domain_id, d.id);
      assert.equal(e.data.tenant_id, tenantA);
      assert.equal(e.data.domain, 'events.example');
      assert.deepEqual(Object.keys(e.data).sort(), ['at', 'domain', 'domain_id', 'tenant_id']);
    }
  });
});
