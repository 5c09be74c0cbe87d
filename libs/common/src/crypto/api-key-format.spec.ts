import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateApiKey, parseApiKey } from './api-key-format.js';

describe('API key format', () => {
  it('generates mp_<keyid>_<secret> and stores only the SHA-256 of the secret', () => {
    const k = generateApiKey();
    const parsed = parseApiKey(k.fullKey);
    assert.ok(parsed);
    assert.equal(parsed.keyId, k.keyId);
    assert.equal(createHash('sha256').update(parsed.secret).digest('hex'), k.secretSha256);
    assert.ok(!k.secretSha256.includes(parsed.secret));
  });

  it('generates distinct keys', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey().fullKey));
    assert.equal(keys.size, 100);
  });

  it('rejects malformed keys', () => {
    for (const bad of [
      '',
      'mp_',
      'mp_abc_def',
      'xx_0123456789abcdef_' + 'a'.repeat(43),
      'mp_0123456789ABCDEF_' + 'a'.repeat(43),
      'mp_0123456789abcdef_' + 'a'.repeat(42),
    ]) {
      assert.equal(parseApiKey(bad), null, bad);
    }
  });
});
