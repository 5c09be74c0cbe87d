import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDomainListsMap, renderGlobalsMap, renderGreylistConf, renderListMaps, renderRblConf, renderRecipientsMap } from './rspamd-maps.renderer.js';

describe('Rspamd maps renderer', () => {
  it('recipients.map: key, reject-at score or -, greylist flag, clamav action', () => {
    const out = renderRecipientsMap([
      { key: '*', rejectAt: null, greylist: false, clamav: 'reject' },
      { key: '@Example.COM', rejectAt: 6.5, greylist: true, clamav: 'tag' },
      { key: 'a@example.com', rejectAt: 3, greylist: true, clamav: 'none' },
    ]);
    assert.deepEqual(out.split('\n').slice(1), ['* - 0 reject', '@example.com 6.5 1 tag', 'a@example.com 3 1 none', '']);
    assert.throws(() => renderRecipientsMap([{ key: 'a b@x', rejectAt: null, greylist: false, clamav: 'none' }]), /cannot go into an Rspamd map/);
    assert.throws(() => renderRecipientsMap([{ key: 'a#b@x', rejectAt: null, greylist: false, clamav: 'none' }]), /cannot go into an Rspamd map/);
  });

  it('globals.map: greylisting on/off and the DNSBL threshold (0 when DNSBLs are off)', () => {
    assert.match(renderGlobalsMap({ greylist_enabled: true, dnsbl_enabled: false, dnsbl_threshold: 2 }), /^greylist 1\ndnsbl_threshold 0$/m);
    assert.match(renderGlobalsMap({ greylist_enabled: false, dnsbl_enabled: true, dnsbl_threshold: 2 }), /^greylist 0\ndnsbl_threshold 2$/m);
  });

  it('list maps: ip and cidr together, sender addresses, sender domains; sorted', () => {
    const maps = renderListMaps([
      { list: 'blacklist', entryType: 'cidr', value: '192.0.2.0/24', domain: null },
      { list: 'blacklist', entryType: 'ip', value: '198.51.100.7', domain: null },
      { list: 'whitelist', entryType: 'email', value: 'Boss@Example.com', domain: null },
      { list: 'whitelist', entryType: 'domain', value: 'partner.example', domain: null },
    ]);
    assert.deepEqual(maps.blacklist_ip.split('\n').slice(1, -1), ['192.0.2.0/24', '198.51.100.7']);
    assert.deepEqual(maps.whitelist_from.split('\n').slice(1, -1), ['boss@example.com']);
    assert.deepEqual(maps.whitelist_domain.split('\n').slice(1, -1), ['partner.example']);
    assert.deepEqual(maps.blacklist_from.split('\n').slice(1), ['']);
  });

  it('domain_lists.map: the domains’ own entries keyed by domain, kind and value; an IP is a /32 or /128 network; whitelist wins a tie', () => {
    const out = renderDomainListsMap([
      { list: 'blacklist', entryType: 'email', value: "o'brien@spam.example", domain: 'a.example' },
      { list: 'blacklist', entryType: 'ip', value: '192.0.2.7', domain: 'a.example' },
      { list: 'whitelist', entryType: 'cidr', value: '2001:db8::/32', domain: 'b.example' },
      { list: 'blacklist', entryType: 'domain', value: 'both.example', domain: 'b.example' },
      { list: 'whitelist', entryType: 'domain', value: 'both.example', domain: 'b.example' },
      { list: 'blacklist', entryType: 'email', value: 'platform@x.example', domain: null },
    ]);
    assert.deepEqual(out.split('\n').slice(1, -1), [
      "a.example|from|o'brien@spam.example blacklist",
      'a.example|ip|192.0.2.7/32 blacklist',
      'b.example|domain|both.example whitelist',
      'b.example|ip|2001:db8::/32 whitelist',
    ]);
    assert.equal(renderListMaps([{ list: 'blacklist', entryType: 'email', value: 'a@b.example', domain: 'a.example' }]).blacklist_from.split('\n').length, 2);
  });

  it('greylist.conf: greylist_delay_seconds is the timeout, greylist_max_age_days the expiry', () => {
    const conf = renderGreylistConf({ greylist_delay_seconds: 300, greylist_max_age_days: 35 });
    assert.match(conf, /^timeout = 300s;$/m);
    assert.match(conf, /^expire = 35d;$/m);
    assert.match(conf, /^check_local = true;$/m);
  });

  it('rbl.conf: one rule per dnsbl_sites zone when enabled, none otherwise; only fields the rbl module accepts', () => {
    const on = renderRblConf({ dnsbl_enabled: true, dnsbl_sites: ['zen.spamhaus.org', 'bl.spamcop.net'] });
    assert.match(on, /MAILPLANE_DNSBL_1 \{ symbol = "MAILPLANE_DNSBL_1"; rbl = "zen\.spamhaus\.org";/);
    assert.match(on, /MAILPLANE_DNSBL_2 \{ symbol = "MAILPLANE_DNSBL_2"; rbl = "bl\.spamcop\.net";/);
    // The module disables a rule with a field it does not know (score, description).
    assert.doesNotMatch(on, /score|description/);
    assert.doesNotMatch(renderRblConf({ dnsbl_enabled: false, dnsbl_sites: ['zen.spamhaus.org'] }), /MAILPLANE_DNSBL/);
    assert.throws(() => renderRblConf({ dnsbl_enabled: true, dnsbl_sites: ['a"; }'] }), /not a DNS name/);
  });
});
