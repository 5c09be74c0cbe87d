import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInDefaults, DOMAIN_FIELDS, GLOBAL_FIELDS, MAILBOX_FIELDS, MiB } from './config-fields.js';
import { capViolations, effectiveGlobal, resolveDomainSettings, resolveLayers } from './config-resolver.js';

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
    const r = resolveDomainSettings({ global: { message_size_limit: 10 * MiB }, domainDefaults: { message_size_limit: 20 * MiB }, overrides: { message_size_limit: 30 * MiB } });
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
