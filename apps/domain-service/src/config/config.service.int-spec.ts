import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { EventPublisher, loadConfig } from '#common';
import { createDataSource } from '#database';
import { EventSubjects, type CallerContext } from '#contracts';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/database.js';
import { startNats, type NatsServer } from '../../../../test/helpers/processes.js';
import { AntispamRepository } from '../antispam/antispam.repository.js';
import { AntispamService } from '../antispam/antispam.service.js';
import { DomainsRepository } from '../domains/domains.repository.js';
import { ConfigRepository } from './config.repository.js';
import { ConfigService } from './config.service.js';

/** The configuration rules against a real PostgreSQL: atomic merges, cascades, subset replacement. */
describe('ConfigService + repository against PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let svc: ConfigService;
  let antispam: AntispamService;
  let domainId: string;
  let events: EventPublisher;
  let nats: NatsServer;
  let tenant: string;
  const platform: CallerContext = { tenant_id: null, domain_allowlist: null, home_tenant_id: null };

  before(async () => {
    db = await createTestDatabase('config_repo');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
    nats = await startNats();
    events = await EventPublisher.connect(loadConfig({ NATS_URL: nats.url, ...nats.credentials('domain-service') }), 'domain-service');
    const repo = new ConfigRepository(ds);
    svc = new ConfigService(repo, new DomainsRepository(ds), events);
    antispam = new AntispamService(new AntispamRepository(ds), new DomainsRepository(ds), repo, events);
    [{ id: tenant }] = await db.query<{ id: string }>(`INSERT INTO tenants (name) VALUES ('t') RETURNING id`);
    [{ id: domainId }] = await db.query<{ id: string }>(`INSERT INTO domains (tenant_id, name) VALUES ($1, 'cfg.example') RETURNING id`, [tenant]);
  });
  after(async () => {
    await events?.close();
    await nats?.stop();
    await ds?.destroy();
    await db?.drop();
  });

  it('concurrent override PUTs of different fields both survive', async () => {
    const fields = ['dkim_enabled', 'greylisting_enabled', 'require_tls_inbound'] as const;
    await Promise.all(fields.map((f) => svc.putOverrides(platform, 'cfg.example', { [f]: false })));
    assert.deepEqual(await svc.getOverrides(platform, domainId), { dkim_enabled: false, greylisting_enabled: false, require_tls_inbound: false });
  });

  it('a tenant caller sees only its own domains and no platform tier', async () => {
    const own: CallerContext = { tenant_id: tenant, domain_allowlist: null, home_tenant_id: tenant };
    const other: CallerContext = { tenant_id: '00000000-0000-4000-8000-000000000000', domain_allowlist: null, home_tenant_id: null };
    assert.equal((await svc.effective(own, 'cfg.example')).sources.dkim_enabled, 'override');
    await assert.rejects(svc.effective(other, 'cfg.example'), { apiCode: 'NOT_FOUND' });
    await assert.rejects(svc.getTier(own, 'global'), { apiCode: 'FORBIDDEN' });
    await assert.rejects(antispam.getConfig(own), { apiCode: 'FORBIDDEN' });
  });

  it('replacing the anti-spam subset keeps the other global fields', async () => {
    await svc.putTier(platform, 'global', { message_size_limit: 2048, dnsbl_threshold: 5, greylist_enabled: true });
    await antispam.putConfig(platform, { dnsbl_enabled: true });
    const [row] = await db.query<{ settings: object }>(`SELECT settings FROM global_config`);
    assert.deepEqual(row.settings, { message_size_limit: 2048, dnsbl_enabled: true });
  });

  it('publishes config.changed after each tier, override and anti-spam write (ids and names only), not after a refused one', async () => {
    const nc = await nats.connect('worker');
    const seen: Record<string, unknown>[] = [];
    nc.subscribe(EventSubjects.ConfigChanged, { callback: (_e, m) => void seen.push(m.json()) });
    await nc.flush();
    try {
      await svc.putTier(platform, 'domain_defaults', {});
      await svc.putOverrides(platform, 'cfg.example', { dkim_enabled: true });
      await antispam.putConfig(platform, { dnsbl_enabled: false });
      await assert.rejects(svc.putTier(platform, 'global', { message_size_limit: 'huge' }));
      const deadline = Date.now() + 2000;
      while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(
        seen.map(({ at: _at, ...rest }) => rest),
        [{ tier: 'domain_defaults' }, { tier: 'domain_overrides', domain_id: domainId, domain: 'cfg.example' }, { tier: 'global', area: 'antispam' }],
      );
    } finally {
      await nc.close();
    }
  });

  it('deleting a domain removes its overrides', async () => {
    await db.query(`DELETE FROM domains WHERE id = $1`, [domainId]);
    assert.equal((await db.query(`SELECT 1 FROM domain_overrides WHERE domain_id = $1`, [domainId])).length, 0);
    await assert.rejects(svc.putOverrides(platform, domainId, { dkim_enabled: true }), { apiCode: 'NOT_FOUND' });
  });
});
