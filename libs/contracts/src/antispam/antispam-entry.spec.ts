import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalEntryValue } from './antispam-entry.js';

describe('canonicalEntryValue', () => {
  it('canonicalises each entry type', () => {
    assert.deepEqual(canonicalEntryValue('ip', ' 2001:DB8::0:1 '), { ok: true, value: '2001:db8::1' });
    assert.deepEqual(canonicalEntryValue('cidr', '10.0.0.0/8'), { ok: true, value: '10.0.0.0/8' });
    assert.deepEqual(canonicalEntryValue('domain', 'Bücher.Example.'), { ok: true, value: 'xn--bcher-kva.example' });
    assert.deepEqual(canonicalEntryValue('email', 'Joe@EXAMPLE.org'), { ok: true, value: 'Joe@example.org' });
  });

  it('says why a value does not fit its type', () => {
    const cidr = canonicalEntryValue('cidr', '10.1.0.0/8');
    assert.ok(!cidr.ok && /host bits set; the network is 10\.0\.0\.0\/8/.test(cidr.reason));
    for (const [type, value] of [
      ['ip', '10.0.0.0/8'],
      ['ip', 'example.com'],
      ['cidr', '10.0.0.1'],
      ['domain', 'localhost'],
      ['email', 'x@localhost'],
    ] as const) {
      assert.equal(canonicalEntryValue(type, value).ok, false, `${type} ${value}`);
    }
  });
});
