import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource, EntityManager } from 'typeorm';
import { createDataSource } from '#database';
import { createTestDatabase, type TestDatabase } from '../../../../test/helpers/database.js';
import { TenantLimits } from './tenant-limits.js';

const GiB = 1024 ** 3;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The limit checks against a real PostgreSQL, with the window between counting and inserting
 * widened on purpose: only the row locks keep parallel writers from over-filling a limit.
 */
describe('TenantLimits against PostgreSQL', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let limits: TenantLimits;

  before(async () => {
    db = await createTestDatabase('tenant_limits');
    ds = createDataSource({ url: db.url, poolSize: 24 });
    await ds.initialize();
    limits = new TenantLimits(ds);
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const tenantWithDomain = async (name: string, tenantLimits: Record<string, number | null>) => {
    const cols = Object.keys(tenantLimits);
    const [{ id: tenant }] = await db.query<{ id: string }>(
      `INSERT INTO tenants (name${cols.map((c) => `, ${c}`).join('')}) VALUES ($1${cols.map((_, i) => `, $${i + 2}`).join('')}) RETURNING id`,
      [name, ...Object.values(tenantLimits)],
    );
    const [{ id: domain }] = await db.query<{ id: string }>(`INSERT INTO domains (tenant_id, name) VALUES ($1, $2) RETURNING id`, [tenant, `${name}.example`]);
    return { tenant, domain };
  };
  const insertMailbox = (tx: EntityManager, t: { tenant: string; domain: string }, local: string, quota: number | null = null) =>
    tx.query(`INSERT INTO mailboxes (tenant_id, domain_id, local_part, address, password_hash, quota_bytes) VALUES ($1, $2, $3, $3 || '@x.example', 'x', $4)`, [
      t.tenant,
      t.domain,
      local,
      quota,
    ]);
  const count = async (tenant: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM mailboxes WHERE tenant_id = $1`, [tenant]))[0].n);

  it('without the locks the widened window really over-fills (the race the locks prevent is real)', async () => {
    const t = await tenantWithDomain('nolock', { max_mailboxes: 1 });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ds.transaction(async (tx) => {
          const [c]: { n: string }[] = await tx.query(`SELECT count(*) AS n FROM mailboxes WHERE tenant_id = $1`, [t.tenant]);
          if (Number(c.n) >= 1) return;
          await pause(30);
          await insertMailbox(tx, t, `n${i}`);
        }),
      ),
    );
    assert.ok((await count(t.tenant)) > 1);
  });

  it('20 parallel claims of one free slot: exactly one succeeds, the others name the limit', async () => {
    const t = await tenantWithDomain('race', { max_mailboxes: 1 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limits.withLock(t.tenant, t.domain, async (tx, l) => {
          const breach = await limits.mailboxBreach(tx, t.tenant, t.domain, l, { quota: GiB });
          if (breach) return breach.detail;
          await pause(30);
          await insertMailbox(tx, t, `r${i}`);
          return 'created';
        }),
      ),
    );
    assert.equal(results.filter((r) => r === 'created').length, 1);
    assert.ok(
      results.filter((r) => r !== 'created').every((r) => r === 'tenant limit max_mailboxes (1) reached'),
      results.join('\n'),
    );
    assert.equal(await count(t.tenant), 1);
  });

  it('storage: the default quota counts where none is set; 0 (unlimited) never fits a finite limit; shrinking always does', async () => {
    const t = await tenantWithDomain('storage', { storage_bytes: 3 * GiB });
    await ds.transaction(async (tx) => {
      await insertMailbox(tx, t, 'a', 2 * GiB);
      await insertMailbox(tx, t, 'b');
    });
    const [a] = await db.query<{ id: string }>(`SELECT id FROM mailboxes WHERE tenant_id = $1 AND local_part = 'a'`, [t.tenant]);
    const check = (claim: { id?: string; quota: number; previous?: number }) =>
      limits.withLock(t.tenant, t.domain, async (tx, l) => (await limits.mailboxBreach(tx, t.tenant, t.domain, l, claim))?.detail);
    assert.match((await check({ quota: 1 }))!, /^tenant limit storage_bytes \(3221225472\) exceeded: 3221225472 bytes already allotted, 1 more requested$/);
    assert.match((await check({ quota: 0 }))!, /unlimited quota \(0\) cannot fit/);
    assert.equal(await check({ id: a.id, quota: GiB, previous: 2 * GiB }), undefined);
    assert.match((await check({ id: a.id, quota: 2 * GiB + 1, previous: 2 * GiB }))!, /storage_bytes/);
    await db.query(`UPDATE tenants SET storage_bytes = $2 WHERE id = $1`, [t.tenant, GiB]);
    assert.equal(await check({ id: a.id, quota: GiB, previous: 2 * GiB }), undefined, 'shrinking while over the limit is allowed');
    assert.equal(await limits.withLock(t.tenant, '00000000-0000-4000-8000-000000000000', async () => 'ran'), undefined, 'a missing domain runs nothing');
  });
});
