import assert from 'node:assert/strict';
import { createPublicKey, verify, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { dkimPublicValueOfPrivate, generateDkimKey } from './dkim-keygen.js';

describe('generateDkimKey', () => {
  for (const [algorithm, pLength] of [
    ['rsa-2048', 392],
    ['rsa-1024', 216],
    ['ed25519', 44],
  ] as const) {
    it(`${algorithm}: PKCS#8 PEM private key, p= of the right size that verifies its signatures`, async () => {
      const key = await generateDkimKey(algorithm);
      assert.match(key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
      assert.equal(key.publicKey.length, pLength);
      assert.equal(dkimPublicValueOfPrivate(key.privateKeyPem), key.publicKey);
      const der = Buffer.from(key.publicKey, 'base64');
      const pub =
        algorithm === 'ed25519'
          ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: der.toString('base64url') }, format: 'jwk' })
          : createPublicKey({ key: der, format: 'der', type: 'spki' });
      const data = Buffer.from('header hash');
      const hash = algorithm === 'ed25519' ? null : 'sha256';
      assert.ok(verify(hash, data, pub, sign(hash, data, key.privateKeyPem)));
      assert.ok(!verify(hash, Buffer.from('other'), pub, sign(hash, data, key.privateKeyPem)));
    });
  }
});
