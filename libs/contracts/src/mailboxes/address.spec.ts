import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localPartProblem, normalizeDestination, normalizeLocalAddress } from './address.js';

describe('mailbox addresses', () => {
  it('accepts ordinary local parts and lower-cases them', () => {
    for (const ok of ['alice', 'a.b', 'x+tag', "o'neil", 'a_b-c', '1', 'a'.repeat(64)]) assert.equal(localPartProblem(ok), null, ok);
    const r = normalizeLocalAddress('Alice.Smith', 'example.com');
    assert.deepEqual(r, { ok: true, address: 'alice.smith@example.com', local: 'alice.smith', domain: 'example.com' });
  });

  it('names the rule a bad local part breaks', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['a'.repeat(65), /64 octets/],
      ['a@b', /@/],
      ['a/b', /\//],
      ['a\\b', /\\/],
      ['a\u0000b', /NUL/],
      ['a..b', /two dots/],
      ['.a', /start or end/],
      ['a.', /start or end/],
      ['a b', /only contain/],
      ['ü', /only contain/],
    ];
    for (const [local, rule] of cases) assert.match(localPartProblem(local) ?? 'ok', rule, JSON.stringify(local));
    const long = normalizeLocalAddress('a'.repeat(64), `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`);
    assert.ok(!long.ok && /254 octets/.test(long.problem));
  });

  it('normalises destinations: domain lower-case and punycode, local part kept', () => {
    assert.deepEqual(normalizeDestination('Bob@Bücher.Example'), {
      ok: true,
      address: 'Bob@xn--bcher-kva.example',
      local: 'Bob',
      domain: 'xn--bcher-kva.example',
    });
    for (const bad of ['bob', '@example.com', 'a..b@example.com', 'bob@', 'bob@localhost', 'a b@example.com']) {
      assert.equal(normalizeDestination(bad).ok, false, bad);
    }
  });
});
