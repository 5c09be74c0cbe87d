import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInDefaults, DOMAIN_FIELDS, GiB, GLOBAL_FIELDS, MAILBOX_FIELDS, MiB } from './config-fields.js';
import { capViolations, effectiveGlobal, resolveDomainSettings, resolveLayers, resolveMailboxSettings } from './config-resolver.js';

describe('resolveDomainSettings', () => {
  it('uses the built-in defaults when every tier is empty', () => {
    const r = resolveDomainSettings({ global: {}, domainDefaults: {}, overrides: {} });
    assert.deepEqual(r.settings, builtInDefaults(DOMAIN_FIELDS));
    assert.ok(Object.values(r.sources).every((s) => s === 'default'));
    assert.equal(r.settings.message_size_limit, 25 * MiB);
  });

  it('lets the narrowest non-null tier win and reports where each value came from', () => {
    const r = resolveDomainSettings({
      global: { message_size_limit: 40 * MiB, max_smtpd_connections: 5 },
      domainDefaults: { spam_threshold: 7, dkim_enabled: false, spf_policy: 'fail' },
      overrides: { spam_threshold: 3.5, spf_policy: null },
    });
    assert.equal(r.settings.message_size_limit, 40 * MiB);
    assert.equal(r.sources.message_size_limit, 'global');
    assert.equal(r.settings.spam_threshold, 3.5);
    assert.equal(r.sources.spam_threshold, 'override');
    assert.equal(r.settings.dkim_enabled, false);
    assert.equal(r.sources.dkim_enabled, 'domain_defaults');
    assert.equal(r.settings.spf_policy, 'fail', 'a null override inherits');
    assert.equal(r.sources.spf_policy, 'domain_defaults');
    assert.equal(r.sources.clamav_action, 'default');
    assert.ok(!('max_smtpd_connections' in r.settings), 'global-only fields are not domain fields');
  });

  it('clamps a narrower message_size_limit to a global cap lowered later', () => {
    const r = resolveDomainSettings({
      global: { message_size_limit: 10 * MiB },
      domainDefaults: { message_size_limit: 20 * MiB },
      overrides: { message_size_limit: 30 * MiB },
    });
    assert.equal(r.settings.message_size_limit, 10 * MiB);
    assert.equal(r.sources.message_size_limit, 'global');
    const under = resolveDomainSettings({ global: { message_size_limit: 10 * MiB }, domainDefaults: {}, overrides: { message_size_limit: 5 * MiB } });
    assert.equal(under.settings.message_size_limit, 5 * MiB);
    assert.equal(under.sources.message_size_limit, 'override');
  });

  it('does not share default arrays between results', () => {
    const a = resolveLayers(MAILBOX_FIELDS, []);
    a.settings.forward_to.push('x@example.com');
    assert.deepEqual(resolveLayers(MAILBOX_FIELDS, []).settings.forward_to, []);
    const g = effectiveGlobal({});
    g.relay_networks.push('192.0.2.0/24');
    assert.deepEqual(effectiveGlobal({}).relay_networks, GLOBAL_FIELDS.relay_networks.default);
  });
});

describe('capViolations', () => {
  it('names the global cap a narrower value exceeds', () => {
    const global = effectiveGlobal({ message_size_limit: 10 * MiB });
    assert.deepEqual(capViolations({ message_size_limit: 10 * MiB }, global), []);
    assert.deepEqual(capViolations({ spam_threshold: 99 }, global), []);
    const [err] = capViolations({ message_size_limit: 10 * MiB + 1 }, global);
    assert.equal(err.field, 'message_size_limit');
    assert.match(err.message, /exceeds the global cap message_size_limit = 10485760/);
  });

  it('uses the built-in global default as the cap when global is empty', () => {
    assert.equal(capViolations({ message_size_limit: 25 * MiB + 1 }, effectiveGlobal({})).length, 1);
  });
});

describe('resolveMailboxSettings', () => {
  const empty = { global: {}, mailboxDefaults: {}, domainOverrides: {}, quotaBytes: null, overrides: {} };

  it('uses the built-in defaults when every tier is empty', () => {
    const r = resolveMailboxSettings(empty);
    assert.deepEqual(r.settings, builtInDefaults(MAILBOX_FIELDS));
    assert.ok(Object.values(r.sources).every((s) => s === 'default'));
  });

  it('orders global ← mailbox defaults ← domain overrides ← mailbox row ← mailbox overrides', () => {
    const r = resolveMailboxSettings({
      global: { message_size_limit: 40 * MiB, max_smtpd_connections: 5 },
      mailboxDefaults: { spam_threshold: 7, spam_action: 'tag', enabled_pop3: false, quota_bytes: 2 * GiB, max_send_per_day: 10 },
      domainOverrides: { spam_threshold: 4, dkim_enabled: false, max_mailboxes: 3 },
      quotaBytes: 3 * GiB,
      overrides: { max_send_per_day: 20, spam_action: null },
    });
    const got = (k: keyof typeof r.settings) => [r.settings[k], r.sources[k]];
    assert.deepEqual(got('message_size_limit'), [40 * MiB, 'global']);
    assert.deepEqual(got('spam_threshold'), [4, 'domain']);
    assert.deepEqual(got('spam_action'), ['tag', 'mailbox_defaults'], 'a null override inherits');
    assert.deepEqual(got('enabled_pop3'), [false, 'mailbox_defaults']);
    assert.deepEqual(got('quota_bytes'), [3 * GiB, 'mailbox']);
    assert.deepEqual(got('max_send_per_day'), [20, 'override']);
    assert.deepEqual(got('vacation_enabled'), [false, 'default']);
    assert.ok(!('dkim_enabled' in r.settings) && !('max_mailboxes' in r.settings), 'domain-only fields are not mailbox fields');
    const over = resolveMailboxSettings({ ...empty, quotaBytes: 3 * GiB, overrides: { quota_bytes: 0 } });
    assert.deepEqual([over.settings.quota_bytes, over.sources.quota_bytes], [0, 'override']);
  });

  it('clamps message_size_limit to the global cap', () => {
    const r = resolveMailboxSettings({
      ...empty,
      global: { message_size_limit: 10 * MiB },
      domainOverrides: { message_size_limit: 20 * MiB },
      overrides: { message_size_limit: 30 * MiB },
    });
    assert.deepEqual([r.settings.message_size_limit, r.sources.message_size_limit], [10 * MiB, 'global']);
  });
});
