import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storableJson, storableText, storableValue } from './audit-storable.js';

describe('audit values for jsonb', () => {
  it('replaces NUL and lone surrogates in strings and keys, keeps everything else', () => {
    assert.deepEqual(storableValue({ 'k\u0000': ['a\ud800', 1, true, null, { n: '😀' }] }), { 'k\uFFFD': ['a\uFFFD', 1, true, null, { n: '😀' }] });
    const text = storableJson({ name: 'x\ud800', bad: 'a\u0000' })!;
    assert.ok(!/\\u0000|\\ud800/i.test(text), text);
    assert.deepEqual(JSON.parse(text), { name: 'x\uFFFD', bad: 'a\uFFFD' });
    assert.equal(storableJson(null), null);
    assert.equal(storableJson(undefined), null);
  });

  it('keeps a preview of a value too large to store whole, cut without splitting a pair badly', () => {
    const big = { name: '😀'.repeat(50_000) };
    const stored = JSON.parse(storableJson(big, 1000)!);
    assert.equal(stored._truncated, true);
    assert.ok(stored._chars > 100_000);
    assert.ok(stored._preview.length <= 1000);
    assert.ok(!/[\ud800-\udbff]$/.test(stored._preview));
  });

  it('never throws: cycles and BigInt become a marker', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.deepEqual(JSON.parse(storableJson({ n: 1n })!), { _unserializable: true });
    assert.ok(storableJson(cyclic));
  });

  it('text columns are cleaned and capped', () => {
    assert.equal(storableText('a\u0000b'), 'a\uFFFDb');
    assert.equal(storableText('x'.repeat(5000), 10), 'x'.repeat(10));
    assert.equal(storableText(null), null);
  });
});
