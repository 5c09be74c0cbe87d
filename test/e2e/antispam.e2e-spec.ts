import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

type Entry = { id: string; list: string; entry_type: string; value: string; comment: string; created_at: string };

describe('anti-spam (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;

  before(async () => {
    stack = await TestStack.start('antispam');
    admin = stack.api(stack.admin.apiKey);
  });
  after(async () => {
    await stack?.stop();
  });

  const globalRow = async () => (await stack.db.query<{ settings: Record<string, unknown> }>(`SELECT settings FROM global_config WHERE id = 1`))[0].settings;
  const entryCount = async () => Number((await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM antispam_entries`))[0].n);

  it('config/antispam shows and replaces only the DNSBL/greylist subset of global', async () => {
    const empty = await admin.get('/api/v1/config/antispam');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, {
      dnsbl_enabled: false,
      dnsbl_sites: ['zen.spamhaus.org'],
      dnsbl_threshold: 1,
      greylist_enabled: false,
      greylist_delay_seconds: 300,
      greylist_max_age_days: 35,
    });
    await admin.request('PUT', '/api/v1/config/global', { message_size_limit: 10485760, greylist_delay_seconds: 60 });
    const put = await admin.request('PUT', '/api/v1/config/antispam', {
      dnsbl_enabled: true,
      dnsbl_sites: ['ZEN.Spamhaus.org', 'bl.spamcop.net'],
      dnsbl_threshold: 2,
    });
    assert.equal(put.status, 200);
    assert.equal(put.body.dnsbl_enabled, true);
    assert.deepEqual(put.body.dnsbl_sites, ['zen.spamhaus.org', 'bl.spamcop.net']);
    assert.equal(put.body.greylist_delay_seconds, 300, 'left out of the PUT: back to the built-in default');
    assert.deepEqual(await globalRow(), {
      message_size_limit: 10485760,
      dnsbl_enabled: true,
      dnsbl_sites: ['zen.spamhaus.org', 'bl.spamcop.net'],
      dnsbl_threshold: 2,
    });
    assert.deepEqual((await admin.get('/api/v1/config/antispam')).body, put.body);
    assert.equal((await admin.get('/api/v1/config/global')).body.dnsbl_threshold, 2);

    const before = await globalRow();
    for (const [body, field] of [
      [{ message_size_limit: 2048 }, 'message_size_limit'],
      [{ dnsbl_threshold: 0 }, 'dnsbl_threshold'],
      [{ dnsbl_sites: ['no spaces.example'] }, 'dnsbl_sites'],
      [{ dnsbl_sites: Array.from({ length: 33 }, (_, i) => `z${i}.example.org`) }, 'dnsbl_sites'],
      [{ greylist_delay_seconds: 86401 }, 'greylist_delay_seconds'],
      [{ greylist_enabled: 1 }, 'greylist_enabled'],
    ] as [unknown, string][]) {
      const err = expectError(await admin.request('PUT', '/api/v1/config/antispam', body), 400, 'VALIDATION_FAILED');
      assert.deepEqual(
        err.fields!.map((f) => f.field),
        [field],
      );
    }
    assert.deepEqual(await globalRow(), before);
  });

  it('CRUD on both lists with canonical values, Location and the delete message', async () => {
    for (const list of ['whitelist', 'blacklist']) {
      const created = await admin.post(`/api/v1/antispam/${list}`, { entry_type: 'cidr', value: '2001:DB8:0::/48', comment: 'test range' });
      assert.equal(created.status, 201);
      const e = created.body as Entry;
      assert.deepEqual(
        { list: e.list, entry_type: e.entry_type, value: e.value, comment: e.comment },
        { list, entry_type: 'cidr', value: '2001:db8::/48', comment: 'test range' },
      );
      assert.equal(created.headers.get('location'), `/api/v1/antispam/${list}/${e.id}`);
      const [row] = await stack.db.query<{ list: string; value: string }>(`SELECT list, value FROM antispam_entries WHERE id = $1`, [e.id]);
      assert.deepEqual({ ...row }, { list, value: '2001:db8::/48' });
      const listed = await admin.get(`/api/v1/antispam/${list}`);
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.data.map((x: Entry) => x.id),
        [e.id],
      );
      assert.deepEqual(listed.body.meta, { page: 1, limit: 50, total: 1 });
      // An entry of one list is not reachable through the other.
      expectError(await admin.delete(`/api/v1/antispam/${list === 'whitelist' ? 'blacklist' : 'whitelist'}/${e.id}`), 404, 'NOT_FOUND');
      const del = await admin.delete(`/api/v1/antispam/${list}/${e.id}`);
      assert.equal(del.status, 200);
      assert.deepEqual(del.body, { message: `${list} entry deleted` });
      expectError(await admin.delete(`/api/v1/antispam/${list}/${e.id}`), 404, 'NOT_FOUND');
      expectError(await admin.delete(`/api/v1/antispam/${list}/not-a-uuid`), 404, 'NOT_FOUND');
    }
    assert.equal(await entryCount(), 0);
  });

  it('canonicalises each entry_type; the same entry twice is 409 (also in another spelling)', async () => {
    const ok: [string, string, string][] = [
      ['ip', '192.0.2.10', '192.0.2.10'],
      ['ip', '2001:DB8:0:0::1', '2001:db8::1'],
      ['cidr', '198.51.100.0/24', '198.51.100.0/24'],
      ['domain', 'Spam.EXAMPLE.', 'spam.example'],
      ['domain', 'Bücher.example', 'xn--bcher-kva.example'],
      ['email', 'Spammer@Bad.EXAMPLE', 'Spammer@bad.example'],
    ];
    for (const [entry_type, value, canonical] of ok) {
      const r = await admin.post('/api/v1/antispam/blacklist', { entry_type, value });
      assert.equal(r.status, 201, `${entry_type} ${value}: ${r.text}`);
      assert.equal(r.body.value, canonical);
      assert.equal(r.body.comment, '');
    }
    const count = await entryCount();
    for (const [entry_type, value] of [
      ['ip', '2001:db8::0:1'],
      ['domain', 'spam.example'],
      ['email', 'Spammer@bad.example'],
      ['cidr', '198.51.100.0/24'],
    ]) {
      expectError(await admin.post('/api/v1/antispam/blacklist', { entry_type, value }), 409, 'CONFLICT');
    }
    // The same value on the other list is fine.
    assert.equal((await admin.post('/api/v1/antispam/whitelist', { entry_type: 'domain', value: 'spam.example' })).status, 201);
    assert.equal(await entryCount(), count + 1);
  });

  it('rejects invalid entries with fields and stores nothing', async () => {
    const count = await entryCount();
    const bad: [unknown, string][] = [
      [{ entry_type: 'ip', value: '256.1.1.1' }, 'value'],
      [{ entry_type: 'ip', value: '192.0.2.0/24' }, 'value'],
      [{ entry_type: 'ip', value: 'fe80::1%eth0' }, 'value'],
      [{ entry_type: 'cidr', value: '192.0.2.1/24' }, 'value'],
      [{ entry_type: 'cidr', value: '192.0.2.0/33' }, 'value'],
      [{ entry_type: 'cidr', value: '0.0.0.0/0' }, 'value'],
      [{ entry_type: 'cidr', value: '192.0.2.7' }, 'value'],
      [{ entry_type: 'domain', value: 'not a domain' }, 'value'],
      [{ entry_type: 'domain', value: '192.0.2.1' }, 'value'],
      [{ entry_type: 'email', value: 'no-at-sign.example' }, 'value'],
      [{ entry_type: 'email', value: 'a..b@example.com' }, 'value'],
      [{ entry_type: 'email', value: 'a@b' }, 'value'],
      [{ entry_type: 'asn', value: 'AS64496' }, 'entry_type'],
      [{ value: '192.0.2.1' }, 'entry_type'],
      [{ entry_type: 'ip' }, 'value'],
      [{ entry_type: 'ip', value: 42 }, 'value'],
      [{ entry_type: 'ip', value: '192.0.2.1', comment: 'x'.repeat(501) }, 'comment'],
      [{ entry_type: 'ip', value: '192.0.2.1', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of bad) {
      const err = expectError(await admin.post('/api/v1/antispam/whitelist', body), 400, 'VALIDATION_FAILED');
      assert.ok(
        err.fields?.some((f) => f.field === field),
        `${JSON.stringify(body).slice(0, 60)} → ${JSON.stringify(err.fields)}`,
      );
    }
    const hostBits = expectError(await admin.post('/api/v1/antispam/whitelist', { entry_type: 'cidr', value: '192.0.2.1/24' }), 400, 'VALIDATION_FAILED');
    assert.match(hostBits.fields![0].message, /host bits set; the network is 192\.0\.2\.0\/24/);
    assert.equal(await entryCount(), count);
  });

  it('paginates, sorts, searches and filters by entry_type', async () => {
    for (let i = 0; i < 12; i++) {
      assert.equal((await admin.post('/api/v1/antispam/whitelist', { entry_type: 'ip', value: `203.0.113.${10 + i}` })).status, 201);
    }
    await admin.post('/api/v1/antispam/whitelist', { entry_type: 'email', value: 'friend@203.example' });
    const p1 = await admin.get('/api/v1/antispam/whitelist?search=203.0.113&limit=5&sort=value');
    assert.deepEqual(p1.body.meta, { page: 1, limit: 5, total: 12 });
    assert.deepEqual(
      p1.body.data.map((e: Entry) => e.value),
      ['203.0.113.10', '203.0.113.11', '203.0.113.12', '203.0.113.13', '203.0.113.14'],
    );
    const p3 = await admin.get('/api/v1/antispam/whitelist?search=203.0.113&limit=5&page=3&sort=value');
    assert.deepEqual(
      p3.body.data.map((e: Entry) => e.value),
      ['203.0.113.20', '203.0.113.21'],
    );
    const past = await admin.get('/api/v1/antispam/whitelist?search=203.0.113&limit=5&page=9');
    assert.deepEqual(past.body, { data: [], meta: { page: 9, limit: 5, total: 12 } });
    const desc = await admin.get('/api/v1/antispam/whitelist?search=203.0.113&sort=value&order=desc&limit=1');
    assert.equal(desc.body.data[0].value, '203.0.113.21');
    const emails = await admin.get('/api/v1/antispam/whitelist?entry_type=email');
    assert.deepEqual(
      emails.body.data.map((e: Entry) => e.value),
      ['friend@203.example'],
    );
    assert.equal((await admin.get('/api/v1/antispam/whitelist?search=203&entry_type=ip')).body.meta.total, 12);
    assert.equal((await admin.get('/api/v1/antispam/whitelist?search=%25')).body.meta.total, 0, '% is matched literally');
    for (const q of ['sort=comment', 'order=up', 'limit=0', 'limit=501', 'page=0', 'entry_type=asn', 'colour=red']) {
      const err = expectError(await admin.get(`/api/v1/antispam/whitelist?${q}`), 400, 'VALIDATION_FAILED');
      assert.ok(err.fields?.length, q);
    }
  });

  it('platform-only: tenant admins 403 FORBIDDEN, keys without the scope 403 INSUFFICIENT_SCOPE', async () => {
    const t = await stack.tenantAdmin('spam-t');
    const tenant = stack.api(t.token);
    expectError(await tenant.get('/api/v1/config/antispam'), 403, 'FORBIDDEN');
    expectError(await tenant.request('PUT', '/api/v1/config/antispam', {}), 403, 'FORBIDDEN');
    expectError(await tenant.get('/api/v1/antispam/whitelist'), 403, 'FORBIDDEN');
    expectError(await tenant.post('/api/v1/antispam/blacklist', { entry_type: 'ip', value: '192.0.2.99' }), 403, 'FORBIDDEN');
    const [any] = await stack.db.query<{ id: string }>(`SELECT id FROM antispam_entries LIMIT 1`);
    expectError(await tenant.delete(`/api/v1/antispam/whitelist/${any.id}`), 403, 'FORBIDDEN');
    expectError(await stack.api(t.apiKey).get('/api/v1/antispam/whitelist'), 403, 'INSUFFICIENT_SCOPE');

    const reader = (await admin.post('/api/v1/api-keys', { name: 'spam reader', scopes: ['antispam:read'] })).body.key as string;
    assert.equal((await stack.api(reader).get('/api/v1/antispam/blacklist')).status, 200);
    assert.equal((await stack.api(reader).get('/api/v1/config/antispam')).status, 200);
    expectError(await stack.api(reader).post('/api/v1/antispam/blacklist', { entry_type: 'ip', value: '192.0.2.99' }), 403, 'INSUFFICIENT_SCOPE');
    expectError(await stack.api(reader).request('PUT', '/api/v1/config/antispam', {}), 403, 'INSUFFICIENT_SCOPE');
    expectError(await stack.api(reader).delete(`/api/v1/antispam/whitelist/${any.id}`), 403, 'INSUFFICIENT_SCOPE');
    expectError(await stack.api(reader).get('/api/v1/config/global'), 403, 'INSUFFICIENT_SCOPE');
    assert.equal((await stack.db.query(`SELECT 1 FROM antispam_entries WHERE id = $1`, [any.id])).length, 1);
  });
});
