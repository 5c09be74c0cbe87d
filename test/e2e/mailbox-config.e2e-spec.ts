import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const PW = 'Str0ng-Passphrase!';

describe('mailbox overrides and effective settings (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let b: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let mailbox: { id: string; address: string; domain_id: string };

  before(async () => {
    stack = await TestStack.start('mailbox_config');
    admin = stack.api(stack.admin.apiKey);
    a = await stack.tenantAdmin('mcfg-a');
    b = await stack.tenantAdmin('mcfg-b');
    assert.equal((await stack.api(a.token).post('/api/v1/domains', { name: 'mcfg.example' })).status, 201);
    const m = await stack.api(a.token).post('/api/v1/mailboxes', { username: 'alice@mcfg.example', password: PW });
    assert.equal(m.status, 201, m.text);
    mailbox = m.body;
  });
  after(async () => {
    await stack?.stop();
  });

  const put = (api: ApiClient, path: string, body: unknown) => api.request('PUT', path, body);
  const overridesRow = async () =>
    (await stack.db.query<{ settings: Record<string, unknown> }>(`SELECT settings FROM mailbox_overrides WHERE mailbox_id = $1`, [mailbox.id]))[0]?.settings;

  it('round trip: set fields, null reverts, by UUID and by address', async () => {
    const api = stack.api(a.token);
    const empty = await api.get('/api/v1/mailboxes/alice@mcfg.example/overrides');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, {});
    const set = await put(api, '/api/v1/mailboxes/ALICE@mcfg.example/overrides', {
      max_send_per_day: 20,
      spam_action: 'reject',
      forward_to: ['Boss@Example.COM'],
    });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { max_send_per_day: 20, spam_action: 'reject', forward_to: ['Boss@example.com'] });
    assert.deepEqual(await overridesRow(), set.body);
    const more = await put(api, `/api/v1/mailboxes/${mailbox.id}/overrides`, { spam_action: null, enabled_pop3: false, forward_to: null });
    assert.equal(more.status, 200);
    assert.deepEqual(more.body, { max_send_per_day: 20, enabled_pop3: false });
    assert.deepEqual(await overridesRow(), { max_send_per_day: 20, enabled_pop3: false });
    assert.deepEqual((await api.get(`/api/v1/mailboxes/${mailbox.id}/overrides`)).body, more.body);
  });

  it('unknown fields and invalid values are 400 with fields; nothing stored', async () => {
    const api = stack.api(a.token);
    const before = await overridesRow();
    for (const [body, field] of [
      [{ colour: 'blue' }, 'colour'],
      [{ spam_threshold: 101 }, 'spam_threshold'],
      [{ forward_to: ['nope'] }, 'forward_to'],
      [{ max_recipients_per_message: 0 }, 'max_recipients_per_message'],
      [{ dkim_enabled: true }, 'dkim_enabled'],
      [{ quota_bytes: -1 }, 'quota_bytes'],
    ] as const) {
      const err = expectError(await put(api, '/api/v1/mailboxes/alice@mcfg.example/overrides', body), 400, 'VALIDATION_FAILED');
      assert.ok(
        err.fields?.some((f) => f.field === field),
        `${JSON.stringify(body)} → ${JSON.stringify(err.fields)}`,
      );
    }
    expectError(await put(api, '/api/v1/mailboxes/alice@mcfg.example/overrides', [1]), 400, 'VALIDATION_FAILED');
    assert.deepEqual(await overridesRow(), before);
  });

  it('caps: the global message_size_limit and the domain’s quota_total_bytes (400 naming the cap)', async () => {
    const api = stack.api(a.token);
    assert.equal((await put(admin, '/api/v1/config/global', { message_size_limit: 20 * MiB })).status, 200);
    const before = await overridesRow();
    const cap = expectError(await put(api, '/api/v1/mailboxes/alice@mcfg.example/overrides', { message_size_limit: 30 * MiB }), 400, 'VALIDATION_FAILED');
    assert.match(cap.detail, /global cap message_size_limit = 20971520/);
    assert.deepEqual(
      cap.fields!.map((f) => f.field),
      ['message_size_limit'],
    );

    assert.equal((await put(admin, '/api/v1/domains/mcfg.example/overrides', { quota_total_bytes: 10 * GiB })).status, 200);
    for (const q of [10 * GiB + 1, 0]) {
      const err = expectError(await put(api, '/api/v1/mailboxes/alice@mcfg.example/overrides', { quota_bytes: q }), 400, 'VALIDATION_FAILED');
      assert.match(err.detail, /quota_total_bytes = 10737418240/);
      assert.deepEqual(
        err.fields!.map((f) => f.field),
        ['quota_bytes'],
      );
    }
    assert.deepEqual(await overridesRow(), before);
    assert.equal((await put(api, '/api/v1/mailboxes/alice@mcfg.example/overrides', { quota_bytes: 2 * GiB, message_size_limit: 10 * MiB })).status, 200);
  });

  it('effective: narrowest non-null wins and each field names its source', async () => {
    const api = stack.api(a.token);
    assert.equal(
      (await put(admin, '/api/v1/config/mailbox-defaults', { spam_threshold: 7, enabled_imap: false, max_send_per_day: 5, spam_action: 'tag' })).status,
      200,
    );
    assert.equal((await put(admin, '/api/v1/domains/mcfg.example/overrides', { spam_threshold: 4, dkim_enabled: false })).status, 200);
    assert.equal((await api.patch('/api/v1/mailboxes/alice@mcfg.example', { quota_bytes: 3 * GiB })).status, 200);
    await put(api, '/api/v1/mailboxes/alice@mcfg.example/overrides', { message_size_limit: null });

    const eff = await api.get('/api/v1/mailboxes/alice@mcfg.example/effective');
    assert.equal(eff.status, 200, eff.text);
    assert.equal(eff.body.mailbox_id, mailbox.id);
    assert.equal(eff.body.address, 'alice@mcfg.example');
    assert.equal(eff.body.domain, 'mcfg.example');
    assert.equal(Object.keys(eff.body.settings).length, 15);
    assert.deepEqual(Object.keys(eff.body.sources).sort(), Object.keys(eff.body.settings).sort());
    const expect: Record<string, [unknown, string]> = {
      message_size_limit: [20 * MiB, 'global'],
      spam_threshold: [4, 'domain'],
      spam_action: ['tag', 'mailbox_defaults'],
      enabled_imap: [false, 'mailbox_defaults'],
      max_send_per_day: [20, 'override'],
      enabled_pop3: [false, 'override'],
      quota_bytes: [2 * GiB, 'override'],
      vacation_enabled: [false, 'default'],
    };
    for (const [field, [value, source]] of Object.entries(expect)) {
      assert.deepEqual([eff.body.settings[field], eff.body.sources[field]], [value, source], field);
    }
    // The domain's effective fields come along, each with its source.
    assert.equal(eff.body.domain_active, true);
    assert.deepEqual(Object.keys(eff.body.domain_settings).sort(), Object.keys(eff.body.domain_sources).sort());
    assert.deepEqual([eff.body.domain_settings.dkim_enabled, eff.body.domain_sources.dkim_enabled], [false, 'override']);
    assert.deepEqual([eff.body.domain_settings.clamav_action, eff.body.domain_sources.clamav_action], ['reject', 'default']);
    assert.deepEqual([eff.body.domain_settings.message_size_limit, eff.body.domain_sources.message_size_limit], [20 * MiB, 'global']);
    for (const f of ['greylisting_enabled', 'require_tls_inbound', 'spf_policy', 'dmarc_policy']) assert.ok(f in eff.body.domain_settings, f);
    // Reverting the quota override: the mailbox row's quota_bytes is next; then the defaults.
    await put(api, `/api/v1/mailboxes/${mailbox.id}/overrides`, { quota_bytes: null });
    let e = (await api.get(`/api/v1/mailboxes/${mailbox.id}/effective`)).body;
    assert.deepEqual([e.settings.quota_bytes, e.sources.quota_bytes], [3 * GiB, 'mailbox']);
    await api.patch(`/api/v1/mailboxes/${mailbox.id}`, { quota_bytes: null });
    e = (await api.get(`/api/v1/mailboxes/${mailbox.id}/effective`)).body;
    assert.deepEqual([e.settings.quota_bytes, e.sources.quota_bytes], [GiB, 'default']);
    // A global cap lowered below a narrower value clamps it.
    await put(admin, '/api/v1/config/global', { message_size_limit: 5 * MiB });
    await put(admin, '/api/v1/domains/mcfg.example/overrides', { message_size_limit: 5 * MiB });
    await put(api, `/api/v1/mailboxes/${mailbox.id}/overrides`, { message_size_limit: 4 * MiB });
    await put(admin, '/api/v1/config/global', { message_size_limit: 3 * MiB });
    e = (await api.get(`/api/v1/mailboxes/${mailbox.id}/effective`)).body;
    assert.deepEqual([e.settings.message_size_limit, e.sources.message_size_limit], [3 * MiB, 'global']);
    await put(admin, '/api/v1/config/global', {});
    await put(admin, '/api/v1/config/mailbox-defaults', {});
  });

  it('tenant-scoped: another tenant gets 404; scopes mailboxes:read / mailboxes:write', async () => {
    const before = await overridesRow();
    for (const ref of [mailbox.id, 'alice@mcfg.example']) {
      expectError(await stack.api(b.token).get(`/api/v1/mailboxes/${ref}/overrides`), 404, 'NOT_FOUND');
      expectError(await put(stack.api(b.token), `/api/v1/mailboxes/${ref}/overrides`, { enabled_smtp: false }), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).get(`/api/v1/mailboxes/${ref}/effective`), 404, 'NOT_FOUND');
    }
    assert.deepEqual(await overridesRow(), before);
    expectError(await stack.api(a.token).get('/api/v1/mailboxes/nobody@mcfg.example/effective'), 404, 'NOT_FOUND');
    expectError(await put(stack.api(a.token), '/api/v1/mailboxes/nobody@mcfg.example/overrides', { enabled_smtp: false }), 404, 'NOT_FOUND');
    assert.equal((await admin.get(`/api/v1/mailboxes/${mailbox.id}/effective`)).status, 200, 'a platform admin sees every tenant');

    const readOnly = (await stack.api(a.token).post('/api/v1/api-keys', { name: 'mbx read', scopes: ['mailboxes:read'] })).body.key as string;
    assert.equal((await stack.api(readOnly).get('/api/v1/mailboxes/alice@mcfg.example/overrides')).status, 200);
    assert.equal((await stack.api(readOnly).get('/api/v1/mailboxes/alice@mcfg.example/effective')).status, 200);
    expectError(await put(stack.api(readOnly), '/api/v1/mailboxes/alice@mcfg.example/overrides', { enabled_smtp: false }), 403, 'INSUFFICIENT_SCOPE');
    // a.apiKey carries domains:write and api_keys:write only.
    expectError(await stack.api(a.apiKey).get('/api/v1/mailboxes/alice@mcfg.example/effective'), 403, 'INSUFFICIENT_SCOPE');
    expectError(
      await stack.api(a.token).request('PUT', '/api/v1/mailboxes/alice@mcfg.example/overrides', 'x=1', { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('deleting the mailbox removes its overrides', async () => {
    assert.equal((await stack.api(a.token).delete(`/api/v1/mailboxes/${mailbox.id}`)).status, 200);
    assert.equal(await overridesRow(), undefined);
    expectError(await stack.api(a.token).get(`/api/v1/mailboxes/${mailbox.id}/overrides`), 404, 'NOT_FOUND');
  });
});
