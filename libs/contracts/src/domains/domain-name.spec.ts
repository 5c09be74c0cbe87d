import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDomainName, domainNameToUnicode, isUuid, isValidOutgoingIp, labelScripts, normalizeDomainName } from './domain-name.js';

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
    const bad = [
      '',
      ' ',
      'localhost',
      '-a.example',
      'a-.example',
      'a..example',
      '.example',
      'a.example..',
      'under_score.example',
      '192.0.2.1',
      '::1',
      'x.123',
      'user@example.com',
      'a b.example',
      'a/b.example',
      `${'a'.repeat(64)}.example`,
      `${'abcdefghi.'.repeat(26)}com`,
    ];
    for (const name of bad) assert.equal(normalizeDomainName(name), null, JSON.stringify(name));
  });

  it('refuses invisible characters instead of dropping them, naming the code point', () => {
    for (const [name, cp] of [
      ['exa\u200bmple.com', 'U+200B'],
      ['exa\u200cmple.com', 'U+200C'],
      ['exa\u200dmple.com', 'U+200D'],
      ['a\u2060b.com', 'U+2060'],
      ['\ufeffexample.com', 'U+FEFF'],
      ['exa\u00admple.com', 'U+00AD'],
    ]) {
      const r = checkDomainName(name);
      assert.ok(!r.ok && r.problem.includes('invisible') && r.problem.includes(cp), JSON.stringify(name));
      assert.equal(normalizeDomainName(name), null);
    }
  });

  it('refuses a label mixing scripts (homographs), in U-label and A-label form; allows CJK mixes', () => {
    for (const name of ['p\u0430ypal.com', 'xn--pypal-4ve.com', 'g\u03bfogle.com']) {
      const r = checkDomainName(name);
      assert.ok(!r.ok && /mixes .* letters/.test(r.problem), JSON.stringify(name));
    }
    assert.deepEqual(labelScripts('pаypal').sort(), ['Cyrillic', 'Latin']);
    for (const name of ['пример.рф', 'bücher.example', '東京タワー.jp', '例え.テスト', '한국어.kr', 'ab-12.example', 'straße.de']) {
      assert.ok(checkDomainName(name).ok, name);
    }
  });

  it('refuses what IDNA would rewrite into another name (fullwidth letters)', () => {
    const r = checkDomainName('\uff45xample.com');
    assert.ok(!r.ok && r.problem.includes('not as sent'));
    assert.equal(checkDomainName('EXAMPLE.com').ok, true, 'case is not a rewrite');
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
