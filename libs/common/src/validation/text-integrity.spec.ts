import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findUnstorableText, hasUnstorableText, toStorableText } from './text-integrity.js';

describe('text integrity', () => {
  it('finds NUL and unpaired surrogates, not proper pairs', () => {
    for (const s of ['a\u0000b', 'x\ud800', '\udc00x', 'a\ud800b\udc00', '\ud800\ud800\udc00'.slice(0, 2)]) assert.ok(hasUnstorableText(s), JSON.stringify(s));
    for (const s of ['', 'plain', 'emoji 😀', 'ü\t\n', '\ud83d\ude00']) assert.ok(!hasUnstorableText(s), JSON.stringify(s));
  });

  it('replaces each offending code unit with U+FFFD and keeps pairs', () => {
    assert.equal(toStorableText('a\u0000b\ud800c😀\udc00'), 'a\uFFFDb\uFFFDc😀\uFFFD');
    assert.equal(toStorableText('clean'), 'clean');
  });

  it('names the first offending place, object keys included, at any depth', () => {
    assert.equal(findUnstorableText({ a: 'ok', b: ['x', 'y\u0000'] }), 'b[1]');
    assert.equal(findUnstorableText({ ok: 1, ['k\ud800']: 'v' }), 'k\ud800');
    assert.equal(findUnstorableText({ n: 'x' }, 'query'), null);
    assert.equal(findUnstorableText({ domain: 'a\u0000' }, 'path'), 'path.domain');
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    assert.equal(findUnstorableText(deep)?.startsWith('[0]'), true, 'no depth cap hides a value, no stack overflow');
    assert.equal(findUnstorableText(undefined), null);
  });
});
