import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dkimDnsRecord, dkimTxtValue, splitTxtValue, zoneLine } from './dkim-record.js';

describe('DKIM DNS records', () => {
  it('splits a value into ≤255-character strings that join back to it', () => {
    const value = `v=DKIM1; k=rsa; p=${'A'.repeat(392)}`;
    const strings = splitTxtValue(value);
    assert.deepEqual(
      strings.map((s) => s.length),
      [255, value.length - 255],
    );
    assert.equal(strings.join(''), value);
    assert.deepEqual(
      splitTxtValue('x'.repeat(510)).map((s) => s.length),
      [255, 255],
    );
    assert.deepEqual(splitTxtValue('short'), ['short']);
    assert.deepEqual(splitTxtValue('abcdefg', 3), ['abc', 'def', 'g']);
  });

  it('tags the key type: k=rsa for RSA, k=ed25519 for Ed25519', () => {
    assert.equal(dkimTxtValue('rsa-2048', 'PUB'), 'v=DKIM1; k=rsa; p=PUB');
    assert.equal(dkimTxtValue('rsa-1024', 'PUB'), 'v=DKIM1; k=rsa; p=PUB');
    assert.equal(dkimTxtValue('ed25519', 'PUB'), 'v=DKIM1; k=ed25519; p=PUB');
  });

  it('builds name, strings and a BIND zone line with quoted strings', () => {
    const p = 'B'.repeat(300);
    const r = dkimDnsRecord('s20261121', 'xn--bcher-kva.example', 'rsa-2048', p);
    assert.equal(r.name, 's20261121._domainkey.xn--bcher-kva.example');
    assert.equal(r.type, 'TXT');
    assert.equal(r.value, `v=DKIM1; k=rsa; p=${p}`);
    assert.equal(r.strings.join(''), r.value);
    assert.equal(r.zone_line, `s20261121._domainkey.xn--bcher-kva.example. IN TXT ( "${r.strings[0]}" "${r.strings[1]}" )`);
    assert.equal(zoneLine('a.example', ['say "hi" \\ bye']), 'a.example. IN TXT ( "say \\"hi\\" \\\\ bye" )');
  });
});
