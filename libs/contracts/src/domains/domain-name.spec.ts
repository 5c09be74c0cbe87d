import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { domainNameToUnicode, isUuid, isValidOutgoingIp, normalizeDomainName } from './domain-name.js';

describe('normalizeDomainName', () => {
  it('lower-cases, strips one trailing dot and converts IDN to punycode', () => {
    assert.equal(normalizeDomainName('Example.COM'), 'example.com');
    assert.equal(normalizeDomainName('example.com.'), 'example.com');
    assert.equal(normalizeDomainName('Bücher.Example'), 'xn--bcher-kva.example');
    assert.equal(normalizeDomainName('xn--bcher-kva.example'), 'xn--bcher-kva.example');
    assert.equal(normalizeDomainName('mail.sub-domain.example.co.uk'), 'mail.sub-domain.example.co.uk');
    assert.equal(domainNameToUnicode('xn--bcher-kva.example'), 'bücher.example');
  });

  it('rejects what cannot be a mail domain', () => {
    const bad = ['', ' ', 'localhost', '-a.example', 'a-.example', 'a..example', '.example', 'a.example..', 'under_score.example',
      '192.0.2.1', '::1', 'x.123', 'user@example.com', 'a b.example', 'a/b.example', `${'a'.repeat(64)}.example`,
      `${'abcdefghi.'.repeat(26)}com`];
    for (const name of bad) assert.equal(normalizeDomainName(name), null, JSON.stringify(name));
  });

  it('accepts a 63-character label and a 253-character name', () => {
    assert.ok(normalizeDomainName(`${'a'.repeat(63)}.example`));
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    assert.equal(long.length, 253);
    assert.equal(normalizeDomainName(long), long);
    assert.equal(normalizeDomainName(`a${long}`), null);
  });
});

describe('outgoing_ip and UUIDs', () => {
  it('accepts IPv4, IPv6 and auto only', () => {
    for (const ok of ['auto', '192.0.2.1', '2001:db8::1', '::ffff:192.0.2.1']) assert.ok(isValidOutgoingIp(ok), ok);
    for (const bad of ['AUTO', '256.0.0.1', '192.0.2', 'example.com', '', 42, null]) assert.ok(!isValidOutgoingIp(bad), String(bad));
  });

  it('recognises UUIDs', () => {
    assert.ok(isUuid('3f1c2b9e-8d4a-4c55-9f0e-2a7b1c3d4e5f'));
    assert.ok(!isUuid('example.com'));
  });
});

describe('domain name hardening', () => {
  it('rejects broken A-labels, percent escapes and symbol/emoji labels', () => {
    for (const bad of ['xn--zz.com', 'xn--abc.com', 'ex%61mple.com', '☃.example', 'a😀b.example']) {
      assert.equal(normalizeDomainName(bad), null, bad);
    }
    assert.equal(normalizeDomainName('xn--bcher-kva.example'), 'xn--bcher-kva.example');
    assert.equal(normalizeDomainName('日本語.jp'), 'xn--wgv71a119e.jp');
  });
});

describe('canonicalOutgoingIp', () => {
  it('canonicalises IPv6 and refuses non-unicast or zoned addresses', async () => {
    const { canonicalOutgoingIp } = await import('./domain-name.js');
    assert.equal(canonicalOutgoingIp('2001:DB8:0:0::25'), '2001:db8::25');
    assert.equal(canonicalOutgoingIp('192.0.2.7'), '192.0.2.7');
    for (const bad of ['fe80::1%eth0', '0.0.0.0', '::', '224.0.0.1', 'ff02::1', '255.255.255.255']) assert.equal(canonicalOutgoingIp(bad), null, bad);
  });
});
