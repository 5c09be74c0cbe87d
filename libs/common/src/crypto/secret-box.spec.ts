import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32).toString('base64'));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('-----BEGIN PRIVATE KEY-----', 'row-1');
    assert.doesNotMatch(sealed, /PRIVATE/);
    assert.equal(box.open(sealed, 'row-1'), '-----BEGIN PRIVATE KEY-----');
    assert.notEqual(box.seal('x'), box.seal('x'), 'a fresh IV each time');
  });

  it('refuses another row, another key and tampering', () => {
    const sealed = box.seal('secret', 'row-1');
    assert.throws(() => box.open(sealed, 'row-2'));
    assert.throws(() => new SecretBox(randomBytes(32).toString('base64')).open(sealed, 'row-1'));
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    assert.throws(() => box.open(parts.join('.'), 'row-1'));
    const short = sealed.split('.');
    short[2] = Buffer.from(short[2], 'base64url').subarray(0, 4).toString('base64url');
    assert.throws(() => box.open(short.join('.'), 'row-1'), 'a truncated tag is refused');
    assert.throws(() => new SecretBox(randomBytes(16).toString('base64')));
  });
});
