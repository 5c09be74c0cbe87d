import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANTISPAM_FIELDS, DOMAIN_FIELDS, GLOBAL_FIELDS, GiB, KiB, MAILBOX_FIELDS } from './config-fields.js';
import { validateSettings } from './config-validation.js';
import { checkCidr, checkIpOrCidr, normalizeMailAddress } from './net-values.js';

const fieldsOf = (r: { errors: { field: string }[] }) => r.errors.map((e) => e.field).sort();

describe('validateSettings', () => {
  it('accepts a full valid global tier and canonicalises lists', () => {
    const r = validateSettings(GLOBAL_FIELDS, {
      message_size_limit: 2 * GiB,
      max_smtpd_connections: 1,
      max_smtpd_rate_per_min: 0,
      relay_networks: ['127.0.0.0/8', '2001:DB8::/32', '192.0.2.7'],
      tls_min_version: 'TLSv1.3',
      cipher_policy: 'high',
      spam_remote_enabled: true,
      spam_remote_url: 'https://spam.example.net/x',
      spam_remote_timeout_ms: 100,
      dnsbl_enabled: true,
      dnsbl_sites: ['ZEN.spamhaus.org'],
      dnsbl_threshold: 100,
      greylist_enabled: true,
      greylist_delay_seconds: 86400,
      greylist_max_age_days: 365,
    });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.values.relay_networks, ['127.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    assert.deepEqual(r.values.dnsbl_sites, ['zen.spamhaus.org']);
  });

  it('reports every bad field: ranges, types, enums, lists, unknown, null', () => {
    const r = validateSettings(GLOBAL_FIELDS, {
      message_size_limit: KiB - 1,
      max_smtpd_connections: 1.5,
      max_smtpd_rate_per_min: '10',
      tls_min_version: 'SSLv3',
      relay_networks: ['192.0.2.1/24'],
      dnsbl_sites: ['not a name'],
      spam_remote_url: 'ftp://x.example',
      greylist_enabled: 'yes',
      colour: 'blue',
      dnsbl_threshold: null,
    });
    assert.deepEqual(fieldsOf(r), [
      'colour',
      'dnsbl_sites',
      'dnsbl_threshold',
      'greylist_enabled',
      'max_smtpd_connections',
      'max_smtpd_rate_per_min',
      'message_size_limit',
      'relay_networks',
      'spam_remote_url',
      'tls_min_version',
    ]);
    assert.match(r.errors.find((e) => e.field === 'relay_networks')!.message, /host bits set; the network is 192\.0\.2\.0\/24/);
    assert.match(r.errors.find((e) => e.field === 'colour')!.message, /not a known field/);
  });

  it('refuses lists that are too long or repeat an entry, and non-objects', () => {
    const many = Array.from({ length: 33 }, (_, i) => `bl${i}.example.org`);
    assert.deepEqual(fieldsOf(validateSettings(GLOBAL_FIELDS, { dnsbl_sites: many })), ['dnsbl_sites']);
    assert.deepEqual(fieldsOf(validateSettings(GLOBAL_FIELDS, { relay_networks: ['10.0.0.0/8', '10.0.0.0/8'] })), ['relay_networks']);
    for (const body of [null, [], 'x', 3]) assert.deepEqual(fieldsOf(validateSettings(GLOBAL_FIELDS, body)), ['(body)']);
  });

  it('validates domain and mailbox fields', () => {
    assert.deepEqual(validateSettings(DOMAIN_FIELDS, { spam_threshold: 0, spam_action: 'junk', quota_total_bytes: 0 }).errors, []);
    assert.deepEqual(fieldsOf(validateSettings(DOMAIN_FIELDS, { spam_threshold: 100.5, clamav_action: 'junk', max_aliases: -1, dmarc_policy: 'REJECT' })), [
      'clamav_action',
      'dmarc_policy',
      'max_aliases',
      'spam_threshold',
    ]);
    assert.deepEqual(validateSettings(MAILBOX_FIELDS, { vacation_message: null, forward_to: ['Bob@EXAMPLE.com'] }).values, {
      vacation_message: null,
      forward_to: ['Bob@example.com'],
    });
    assert.deepEqual(fieldsOf(validateSettings(MAILBOX_FIELDS, { vacation_message: 'x'.repeat(10_001), forward_to: ['bob'], max_recipients_per_message: 0 })), [
      'forward_to',
      'max_recipients_per_message',
      'vacation_message',
    ]);
  });

  it('with nullMeansInherit, null marks a field to revert', () => {
    const r = validateSettings(DOMAIN_FIELDS, { dkim_enabled: null, spam_threshold: 4 }, { nullMeansInherit: true });
    assert.deepEqual(r, { values: { spam_threshold: 4 }, unset: ['dkim_enabled'], errors: [] });
  });

  it('the anti-spam subset knows only its six fields', () => {
    assert.deepEqual(Object.keys(ANTISPAM_FIELDS).length, 6);
    assert.deepEqual(fieldsOf(validateSettings(ANTISPAM_FIELDS, { message_size_limit: 2048 })), ['message_size_limit']);
  });
});

describe('net values', () => {
  it('canonicalises CIDR blocks and refuses host bits, bad prefixes and /0', () => {
    assert.deepEqual(checkCidr('192.0.2.0/24'), { ok: true, value: '192.0.2.0/24' });
    assert.deepEqual(checkCidr('2001:DB8:0::/48'), { ok: true, value: '2001:db8::/48' });
    assert.deepEqual(checkCidr('10.1.2.3/32'), { ok: true, value: '10.1.2.3/32' });
    const host = checkCidr('2001:db8::1/64');
    assert.ok(!host.ok && host.reason.includes('2001:db8::/64'));
    for (const bad of ['192.0.2.0/33', '0.0.0.0/0', '::/0', '192.0.2.0', '192.0.2.0/', 'x/8', '2001:db8::/129', '192.0.2.0/24/1']) {
      assert.equal(checkCidr(bad).ok, false, bad);
    }
    assert.deepEqual(checkIpOrCidr('2001:DB8::1'), { ok: true, value: '2001:db8::1' });
    assert.equal(checkIpOrCidr('fe80::1%eth0').ok, false);
  });

  it('normalises RFC 5321 addresses', () => {
    assert.equal(normalizeMailAddress('John.Doe@Bücher.Example'), 'John.Doe@xn--bcher-kva.example');
    for (const bad of [
      '',
      'a',
      '@x.example',
      'a@',
      'a..b@x.example',
      '.a@x.example',
      '"q"@x.example',
      `${'a'.repeat(65)}@x.example`,
      'a b@x.example',
      'a@b@c',
    ]) {
      assert.equal(normalizeMailAddress(bad), null, bad);
    }
  });
});
