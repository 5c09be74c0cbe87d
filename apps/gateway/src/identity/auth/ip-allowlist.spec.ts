import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrsWithin, ipAllowed, parseIpAllowlist } from './ip-allowlist.js';

describe('ip-allowlist', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 peers; null allows everyone', () => {
    assert.equal(ipAllowed('10.1.2.3', ['10.0.0.0/8']), true);
    assert.equal(ipAllowed('127.0.0.1', ['10.0.0.0/8']), false);
    assert.equal(ipAllowed('::ffff:10.1.2.3', ['10.0.0.0/8']), true);
    assert.equal(ipAllowed('2001:db8::1', ['2001:db8::/32']), true);
    assert.equal(ipAllowed('2001:db9::1', ['2001:db8::/32', '10.0.0.0/8']), false);
    assert.equal(ipAllowed('not-an-ip', ['10.0.0.0/8']), false);
    assert.equal(ipAllowed('203.0.113.9', null), true);
  });

  it('parses canonical CIDRs and refuses host bits, /0, bare addresses and empty lists', () => {
    assert.deepEqual(parseIpAllowlist(['2001:DB8::/32', '10.0.0.0/8', '10.0.0.0/8'], 'ip_allowlist'), { ok: true, value: ['2001:db8::/32', '10.0.0.0/8'] });
    const bad = parseIpAllowlist(['10.0.0.1/8', '0.0.0.0/0', '10.0.0.1', 'x'], 'ip_allowlist');
    assert.equal(bad.ok, false);
    assert.deepEqual(!bad.ok && bad.fields.map((f) => f.field), ['ip_allowlist[0]', 'ip_allowlist[1]', 'ip_allowlist[2]', 'ip_allowlist[3]']);
    assert.match(!bad.ok ? bad.fields[0].message : '', /network is 10\.0\.0\.0\/8/);
    assert.equal(parseIpAllowlist([], 'ip_allowlist').ok, false);
  });

  it('tells whether one list lies inside another', () => {
    assert.equal(cidrsWithin(['10.0.0.0/8'], ['10.1.0.0/16', '10.2.3.4/32']), true);
    assert.equal(cidrsWithin(['10.0.0.0/8'], ['0.0.0.0/1']), false);
    assert.equal(cidrsWithin(['10.0.0.0/8'], ['11.0.0.0/16']), false);
    assert.equal(cidrsWithin(['10.0.0.0/8'], null), false);
    assert.equal(cidrsWithin(null, null), true);
    assert.equal(cidrsWithin(['2001:db8::/32'], ['2001:db8:1::/48']), true);
    assert.equal(cidrsWithin(['2001:db8::/32'], ['10.0.0.0/8']), false);
  });
});
