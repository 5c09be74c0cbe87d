import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError, type ApiClient } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

const MiB = 1024 * 1024;
type Row = { settings: Record<string, unknown> };

describe('configuration tiers (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;

  before(async () => {
    stack = await TestStack.start('config');
    admin = stack.api(stack.admin.apiKey);
  });
  after(async () => {
    await stack?.stop();
  });

  const put = (api: ApiClient, path: string, body: unknown) => api.request('PUT', path, body);
  const tierRow = async (table: string) => (await stack.db.query<Row>(`SELECT settings FROM ${table} WHERE id = 1`))[0].settings;
  const overridesRow = async (domainId: string) =>
    (await stack.db.query<Row>(`SELECT settings FROM domain_overrides WHERE domain_id = $1`, [domainId]))[0]?.settings;
  /** Resets the singleton tiers between tests that depend on them. */
  const resetTiers = async () => {
    for (const path of ['global', 'domain-defaults', 'mailbox-defaults']) assert.equal((await put(admin, `/api/v1/config/${path}`, {})).status, 200);
  };

  it('GET shows built-in defaults over an empty tier; PUT replaces the row and round-trips', async () => {
    const empty = await admin.get('/api/v1/config/global');
    assert.equal(empty.status, 200);
    assert.equal(empty.body.message_size_limit, 25 * MiB);
    assert.deepEqual(empty.body.relay_networks, ['127.0.0.0/8', '::1/128']);
    assert.equal(empty.body.spam_remote_url, null);
    assert.equal(empty.body.tls_cert_file, null);
    assert.equal(Object.keys(empty.body).length, 17);
    assert.deepEqual(await tierRow('global_config'), {});

    const res = await put(admin, '/api/v1/config/global', {
      message_size_limit: 50 * MiB,
      relay_networks: ['10.0.0.0/8', '2001:DB8::/32'],
      tls_min_version: 'TLSv1.3',
      spam_remote_url: 'https://spam.example.net/check',
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.message_size_limit, 50 * MiB);
    assert.deepEqual(res.body.relay_networks, ['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(res.body.max_smtpd_connections, 100, 'omitted fields fall back to the built-in default');
    assert.deepEqual(await tierRow('global_config'), {
      message_size_limit: 50 * MiB,
      relay_networks: ['10.0.0.0/8', '2001:db8::/32'],
      tls_min_version: 'TLSv1.3',
      spam_remote_url: 'https://spam.example.net/check',
    });
    assert.deepEqual((await admin.get('/api/v1/config/global')).body, res.body);

    // PUT replaces: what is left out is gone from the row.
    const replaced = await put(admin, '/api/v1/config/global', { cipher_policy: 'high' });
    assert.equal(replaced.body.message_size_limit, 25 * MiB);
    assert.deepEqual(await tierRow('global_config'), { cipher_policy: 'high' });
    // The whole GET body is a valid PUT body.
    const full = (await admin.get('/api/v1/config/global')).body;
    assert.equal((await put(admin, '/api/v1/config/global', full)).status, 200);

    const dd = await put(admin, '/api/v1/config/domain-defaults', { spam_threshold: 6.5, max_mailboxes: 10, dmarc_policy: 'quarantine' });
    assert.equal(dd.status, 200);
    assert.equal(dd.body.spam_threshold, 6.5);
    assert.equal(dd.body.dkim_enabled, true);
    assert.deepEqual(await tierRow('domain_defaults'), { spam_threshold: 6.5, max_mailboxes: 10, dmarc_policy: 'quarantine' });
    assert.equal(Object.keys((await admin.get('/api/v1/config/domain-defaults')).body).length, 12);

    const md = await put(admin, '/api/v1/config/mailbox-defaults', { forward_to: ['Boss@Example.COM'], vacation_message: null, enabled_pop3: false });
    assert.equal(md.status, 200);
    assert.deepEqual(md.body.forward_to, ['Boss@example.com']);
    assert.equal(md.body.enabled_pop3, false);
    assert.equal(md.body.quota_bytes, 1024 * MiB);
    assert.deepEqual(await tierRow('mailbox_defaults'), { forward_to: ['Boss@example.com'], vacation_message: null, enabled_pop3: false });
    await resetTiers();
  });

  it('rejects invalid settings with fields and leaves the row unchanged', async () => {
    await put(admin, '/api/v1/config/global', { max_smtpd_connections: 50 });
    const cases: [string, unknown, string][] = [
      ['global', { message_size_limit: 1023 }, 'message_size_limit'],
      ['global', { message_size_limit: 2 * 1024 * MiB + 1 }, 'message_size_limit'],
      ['global', { max_smtpd_connections: 0 }, 'max_smtpd_connections'],
      ['global', { max_smtpd_rate_per_min: 100001 }, 'max_smtpd_rate_per_min'],
      ['global', { tls_min_version: 'SSLv3' }, 'tls_min_version'],
      ['global', { cipher_policy: 'export' }, 'cipher_policy'],
      ['global', { tls_cert_file: 'relative/cert.pem', tls_key_file: '/etc/ssl/key.pem' }, 'tls_cert_file'],
      ['global', { tls_cert_file: '/etc/ssl/../shadow', tls_key_file: '/etc/ssl/key.pem' }, 'tls_cert_file'],
      ['global', { tls_cert_file: '/etc/ssl/$cert.pem', tls_key_file: '/etc/ssl/key.pem' }, 'tls_cert_file'],
      ['global', { tls_cert_file: '/etc/ssl/cert.pem' }, 'tls_key_file'],
      ['global', { tls_key_file: '/etc/ssl/key.pem' }, 'tls_cert_file'],
      ['global', { relay_networks: ['192.0.2.1/24'] }, 'relay_networks'],
      ['global', { relay_networks: ['10.0.0.0/33'] }, 'relay_networks'],
      ['global', { relay_networks: ['0.0.0.0/0'] }, 'relay_networks'],
      ['global', { relay_networks: ['example.com'] }, 'relay_networks'],
      ['global', { relay_networks: '10.0.0.0/8' }, 'relay_networks'],
      ['global', { relay_networks: Array.from({ length: 257 }, (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}`) }, 'relay_networks'],
      ['global', { spam_remote_url: 'javascript:alert(1)' }, 'spam_remote_url'],
      ['global', { spam_remote_timeout_ms: 99 }, 'spam_remote_timeout_ms'],
      ['global', { dnsbl_sites: ['bad_name'] }, 'dnsbl_sites'],
      ['global', { greylist_max_age_days: 0 }, 'greylist_max_age_days'],
      ['global', { greylist_enabled: 'true' }, 'greylist_enabled'],
      ['global', { max_smtpd_connections: null }, 'max_smtpd_connections'],
      ['global', { colour: 'blue' }, 'colour'],
      ['global', { quota_total_bytes: 1 }, 'quota_total_bytes'],
      ['domain-defaults', { spam_threshold: 101 }, 'spam_threshold'],
      ['domain-defaults', { spam_action: 'delete' }, 'spam_action'],
      ['domain-defaults', { max_mailboxes: -1 }, 'max_mailboxes'],
      ['mailbox-defaults', { forward_to: ['not-an-address'] }, 'forward_to'],
      ['mailbox-defaults', { max_recipients_per_message: 10001 }, 'max_recipients_per_message'],
      ['mailbox-defaults', { relay_networks: [] }, 'relay_networks'],
    ];
    const before = { g: await tierRow('global_config'), d: await tierRow('domain_defaults'), m: await tierRow('mailbox_defaults') };
    for (const [tier, body, field] of cases) {
      const err = expectError(await put(admin, `/api/v1/config/${tier}`, body), 400, 'VALIDATION_FAILED');
      assert.ok(
        err.fields?.some((f) => f.field === field),
        `${tier} ${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(err.fields)}`,
      );
    }
    const many = expectError(await put(admin, '/api/v1/config/global', { tls_min_version: 'x', dnsbl_threshold: 0, foo: 1 }), 400, 'VALIDATION_FAILED');
    assert.deepEqual(many.fields!.map((f) => f.field).sort(), ['dnsbl_threshold', 'foo', 'tls_min_version']);
    expectError(await put(admin, '/api/v1/config/global', '[1,2]'), 400, 'VALIDATION_FAILED');
    expectError(await admin.request('PUT', '/api/v1/config/global', 'x=1', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assert.deepEqual({ g: await tierRow('global_config'), d: await tierRow('domain_defaults'), m: await tierRow('mailbox_defaults') }, before);
    assert.deepEqual(before.g, { max_smtpd_connections: 50 });
    await resetTiers();
  });

  it('a narrower tier may not exceed the global message_size_limit (400 naming the cap)', async () => {
    await put(admin, '/api/v1/config/global', { message_size_limit: 20 * MiB });
    for (const path of ['/api/v1/config/domain-defaults', '/api/v1/config/mailbox-defaults']) {
      const err = expectError(await put(admin, path, { message_size_limit: 30 * MiB }), 400, 'VALIDATION_FAILED');
      assert.match(err.detail, /global cap message_size_limit = 20971520/);
      assert.deepEqual(
        err.fields!.map((f) => f.field),
        ['message_size_limit'],
      );
    }
    assert.deepEqual(await tierRow('domain_defaults'), {});
    assert.equal((await put(admin, '/api/v1/config/domain-defaults', { message_size_limit: 20 * MiB })).status, 200);
    // Lowering the cap later clamps what the narrower tier shows.
    await put(admin, '/api/v1/config/global', { message_size_limit: 10 * MiB });
    assert.equal((await admin.get('/api/v1/config/domain-defaults')).body.message_size_limit, 10 * MiB);
    assert.equal((await admin.get('/api/v1/config/mailbox-defaults')).body.message_size_limit, 10 * MiB);
    await resetTiers();
  });

  it('domain overrides: set, null reverts, unknown field 400, cap 400; effective names each source', async () => {
    const d = await admin.post('/api/v1/domains', { name: 'ovr.example' });
    assert.equal(d.status, 201);
    assert.deepEqual((await admin.get('/api/v1/domains/ovr.example/overrides')).body, {});
    await put(admin, '/api/v1/config/global', { message_size_limit: 40 * MiB });
    await put(admin, '/api/v1/config/domain-defaults', { spam_threshold: 7, dkim_enabled: false });

    const set = await put(admin, '/api/v1/domains/ovr.example/overrides', { spam_threshold: 3.5, spam_action: 'reject', max_mailboxes: 5 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { spam_threshold: 3.5, spam_action: 'reject', max_mailboxes: 5 });
    assert.deepEqual(await overridesRow(d.body.id), { spam_threshold: 3.5, spam_action: 'reject', max_mailboxes: 5 });
    const more = await put(admin, `/api/v1/domains/${d.body.id}/overrides`, { require_tls_inbound: true, spam_action: null });
    assert.deepEqual(more.body, { spam_threshold: 3.5, max_mailboxes: 5, require_tls_inbound: true });
    assert.deepEqual(await overridesRow(d.body.id), { spam_threshold: 3.5, max_mailboxes: 5, require_tls_inbound: true });

    const eff = await admin.get('/api/v1/domains/OVR.example/effective');
    assert.equal(eff.status, 200);
    assert.equal(eff.body.domain_id, d.body.id);
    assert.equal(eff.body.domain, 'ovr.example');
    assert.equal(Object.keys(eff.body.settings).length, 12);
    assert.deepEqual(Object.keys(eff.body.sources).sort(), Object.keys(eff.body.settings).sort());
    const expect: Record<string, [unknown, string]> = {
      spam_threshold: [3.5, 'override'],
      max_mailboxes: [5, 'override'],
      require_tls_inbound: [true, 'override'],
      dkim_enabled: [false, 'domain_defaults'],
      message_size_limit: [40 * MiB, 'global'],
      spam_action: ['junk', 'default'],
      clamav_action: ['reject', 'default'],
    };
    for (const [field, [value, source]] of Object.entries(expect)) {
      assert.deepEqual([eff.body.settings[field], eff.body.sources[field]], [value, source], field);
    }

    const before = await overridesRow(d.body.id);
    for (const body of [{ colour: 'blue' }, { spam_threshold: -1 }, { spf_policy: 'hard' }, { max_aliases: 1.5 }, { message_size_limit: 'big' }, [1]]) {
      const err = expectError(await put(admin, '/api/v1/domains/ovr.example/overrides', body), 400, 'VALIDATION_FAILED');
      assert.ok(err.fields?.length, JSON.stringify(body));
    }
    const cap = expectError(await put(admin, '/api/v1/domains/ovr.example/overrides', { message_size_limit: 41 * MiB }), 400, 'VALIDATION_FAILED');
    assert.match(cap.detail, /global cap message_size_limit = 41943040/);
    assert.deepEqual(await overridesRow(d.body.id), before);

    assert.deepEqual((await put(admin, '/api/v1/domains/ovr.example/overrides', { message_size_limit: 30 * MiB })).body.message_size_limit, 30 * MiB);
    const eff2 = (await admin.get('/api/v1/domains/ovr.example/effective')).body;
    assert.deepEqual([eff2.settings.message_size_limit, eff2.sources.message_size_limit], [30 * MiB, 'override']);
    // Reverting every override: everything inherited again.
    await put(admin, '/api/v1/domains/ovr.example/overrides', {
      message_size_limit: null,
      spam_threshold: null,
      max_mailboxes: null,
      require_tls_inbound: null,
    });
    assert.deepEqual(await overridesRow(d.body.id), {});
    const eff3 = (await admin.get('/api/v1/domains/ovr.example/effective')).body;
    assert.ok(!Object.values(eff3.sources).includes('override'));
    assert.deepEqual([eff3.settings.spam_threshold, eff3.sources.spam_threshold], [7, 'domain_defaults']);
    expectError(await admin.get('/api/v1/domains/missing.example/overrides'), 404, 'NOT_FOUND');
    expectError(await put(admin, '/api/v1/domains/missing.example/overrides', { dkim_enabled: true }), 404, 'NOT_FOUND');
    expectError(await admin.get('/api/v1/domains/missing.example/effective'), 404, 'NOT_FOUND');
    await resetTiers();
  });

  it('tenant admins: 403 on platform tiers, their own domain’s overrides allowed, another tenant’s domain 404', async () => {
    const a = await stack.tenantAdmin('cfg-a');
    const b = await stack.tenantAdmin('cfg-b');
    for (const path of ['global', 'domain-defaults', 'mailbox-defaults']) {
      expectError(await stack.api(a.token).get(`/api/v1/config/${path}`), 403, 'FORBIDDEN');
      expectError(await put(stack.api(a.token), `/api/v1/config/${path}`, {}), 403, 'FORBIDDEN');
    }
    assert.deepEqual(await tierRow('global_config'), {});

    const d = await stack.api(a.apiKey).post('/api/v1/domains', { name: 'tenant-cfg.example' });
    assert.equal(d.status, 201);
    const own = await put(stack.api(a.apiKey), '/api/v1/domains/tenant-cfg.example/overrides', { greylisting_enabled: true });
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, { greylisting_enabled: true });
    assert.equal((await stack.api(a.token).get(`/api/v1/domains/${d.body.id}/effective`)).body.sources.greylisting_enabled, 'override');

    for (const ref of [d.body.id, 'tenant-cfg.example']) {
      expectError(await stack.api(b.apiKey).get(`/api/v1/domains/${ref}/overrides`), 404, 'NOT_FOUND');
      expectError(await put(stack.api(b.apiKey), `/api/v1/domains/${ref}/overrides`, { greylisting_enabled: false }), 404, 'NOT_FOUND');
      expectError(await stack.api(b.token).get(`/api/v1/domains/${ref}/effective`), 404, 'NOT_FOUND');
    }
    assert.deepEqual(await overridesRow(d.body.id), { greylisting_enabled: true });

    // Limits are the platform's to set: the tenant admin may not raise (or revert) its own.
    for (const body of [{ max_mailboxes: 0 }, { quota_total_bytes: null }, { max_aliases: 10, dkim_enabled: false }]) {
      const err = expectError(await put(stack.api(a.token), '/api/v1/domains/tenant-cfg.example/overrides', body), 403, 'FORBIDDEN');
      assert.match(err.detail, /platform admin/);
    }
    assert.deepEqual(await overridesRow(d.body.id), { greylisting_enabled: true });
    assert.equal((await put(admin, '/api/v1/domains/tenant-cfg.example/overrides', { max_mailboxes: 3 })).status, 200);
    const eff = (await stack.api(a.apiKey).get('/api/v1/domains/tenant-cfg.example/effective')).body;
    assert.deepEqual([eff.settings.max_mailboxes, eff.sources.max_mailboxes], [3, 'override']);
  });

  it('honours scopes and a key’s domain allow-list', async () => {
    const a = await stack.tenantAdmin('cfg-scope');
    // The tenant admin's key has domains:write and api_keys:write only.
    expectError(await stack.api(a.apiKey).get('/api/v1/config/global'), 403, 'INSUFFICIENT_SCOPE');
    const readOnly = (await admin.post('/api/v1/api-keys', { name: 'cfg read', scopes: ['config:read', 'domains:read'] })).body.key as string;
    assert.equal((await stack.api(readOnly).get('/api/v1/config/global')).status, 200);
    expectError(await put(stack.api(readOnly), '/api/v1/config/global', {}), 403, 'INSUFFICIENT_SCOPE');
    const noConfig = (await admin.post('/api/v1/api-keys', { name: 'no cfg', scopes: ['domains:write'] })).body.key as string;
    expectError(await stack.api(noConfig).get('/api/v1/config/mailbox-defaults'), 403, 'INSUFFICIENT_SCOPE');
    await admin.post('/api/v1/domains', { name: 'scoped-cfg.example' });
    assert.equal((await stack.api(readOnly).get('/api/v1/domains/scoped-cfg.example/effective')).status, 200);
    expectError(await put(stack.api(readOnly), '/api/v1/domains/scoped-cfg.example/overrides', { dkim_enabled: false }), 403, 'INSUFFICIENT_SCOPE');

    await admin.post('/api/v1/domains', { name: 'listed-cfg.example' });
    const limited = (await admin.post('/api/v1/api-keys', { name: 'limited cfg', scopes: ['*'], domain_allowlist: ['listed-cfg.example'] })).body.key as string;
    assert.equal((await put(stack.api(limited), '/api/v1/domains/listed-cfg.example/overrides', { dkim_enabled: false })).status, 200);
    expectError(await stack.api(limited).get('/api/v1/domains/scoped-cfg.example/overrides'), 404, 'NOT_FOUND');
    // A key limited to some domains does not act on every domain's configuration.
    expectError(await stack.api(limited).get('/api/v1/config/global'), 403, 'FORBIDDEN');
  });
});
