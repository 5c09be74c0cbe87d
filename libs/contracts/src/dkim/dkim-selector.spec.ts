import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dateSelector, firstFreeSelector, normalizeSelector } from './dkim-selector.js';

describe('normalizeSelector', () => {
  it('accepts RFC 6376 selectors, lower-cased and trimmed', () => {
    for (const [input, value] of [
      ['default', 'default'],
      [' Mail-2026 ', 'mail-2026'],
      ['s20261121', 's20261121'],
      ['a', 'a'],
      ['2026.eu-west', '2026.eu-west'],
      ['x'.repeat(63), 'x'.repeat(63)],
    ]) {
      assert.deepEqual(normalizeSelector(input), { ok: true, value }, input);
    }
  });

  it('refuses what is not a selector, saying why', () => {
    for (const input of ['', '   ', '-mail', 'mail-', 'ma_il', 'mail.', '.mail', 'a..b', 'mail/x', 'mail x', 'bücher', 'x'.repeat(64), 'a.-b', '../etc']) {
      const r = normalizeSelector(input);
      assert.equal(r.ok, false, input);
      assert.ok(!r.ok && /^selector /.test(r.reason), input);
    }
    assert.equal(normalizeSelector(7).ok, false);
    assert.equal(normalizeSelector(null).ok, false);
  });
});

describe('rotation selectors', () => {
  it('are s<YYYYMMDD> in UTC, made unique with -2, -3, …', () => {
    assert.equal(dateSelector(new Date('2026-11-21T23:59:59-05:00')), 's20261122');
    assert.equal(firstFreeSelector('s20261121', new Set(['default'])), 's20261121');
    assert.equal(firstFreeSelector('s20261121', new Set(['s20261121', 's20261121-2'])), 's20261121-3');
    assert.ok(normalizeSelector(firstFreeSelector('s20261121', new Set(['s20261121']))).ok);
  });
});
