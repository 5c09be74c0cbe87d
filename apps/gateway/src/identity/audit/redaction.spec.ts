import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretField, redact, REDACTED } from './redaction.js';

describe('audit redaction', () => {
  it('redacts secret field names at any depth and in arrays, keeping the rest', () => {
    const input = {
      address: 'bob@example.com',
      password: 'Hunter2-hunter2',
      nested: { new_password: 'x', current_password: 'y', apiKey: 'z', 'private-key': 'pem', items: [{ token: 't', name: 'ok' }] },
      key: 'mp_abc_def',
      refresh_token: 'r',
      access_token: 'a',
      totp_secret: 's',
      otpauth_url: 'otpauth://totp/x?secret=ABC',
      qr_code: 'data:image/png;base64,xx',
      recovery_codes: ['1', '2'],
      code: '123456',
      mfa_token: 'm',
      password_hash: '{ARGON2ID}$argon2id$...',
      private_key_enc: 'sealed',
      scopes: ['domains:write'],
      name: 'ci key',
    };
    const out = redact(input) as Record<string, any>;
    assert.equal(out.address, 'bob@example.com');
    assert.equal(out.name, 'ci key');
    assert.deepEqual(out.scopes, ['domains:write']);
    for (const f of [
      'password',
      'key',
      'refresh_token',
      'access_token',
      'totp_secret',
      'otpauth_url',
      'qr_code',
      'recovery_codes',
      'code',
      'mfa_token',
      'password_hash',
      'private_key_enc',
    ]) {
      assert.equal(out[f], REDACTED, f);
    }
    assert.deepEqual(out.nested, {
      new_password: REDACTED,
      current_password: REDACTED,
      apiKey: REDACTED,
      'private-key': REDACTED,
      items: [{ token: REDACTED, name: 'ok' }],
    });
    assert.equal(input.password, 'Hunter2-hunter2', 'input untouched');
  });

  it('redacts secret-shaped values under innocent names', () => {
    const out = redact({
      note: 'mp_0123456789abcdef_SECRETSECRETSECRET',
      jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
      pem: '-----BEGIN PRIVATE KEY-----\nMIIE...',
      h: '$2b$10$abcdefghijklmnopqrstuv',
      list: ['fine', 'mp_aa_bbbbbbbbbbbb'],
    }) as Record<string, any>;
    assert.deepEqual(out, { note: REDACTED, jwt: REDACTED, pem: REDACTED, h: REDACTED, list: ['fine', REDACTED] });
  });

  it('keeps booleans and nulls of secret-named fields (mfa_required: true is not a secret)', () => {
    assert.deepEqual(redact({ mfa_required: true, password: null, totp_enabled: false }), { mfa_required: true, password: null, totp_enabled: false });
  });

  it('does not treat ordinary fields as secrets', () => {
    for (const f of ['name', 'email', 'domain', 'quota_bytes', 'active', 'domain_allowlist', 'keyid_prefix_free', 'monkey_business', 'selector', 'id']) {
      assert.equal(isSecretField(f), false, f);
    }
    assert.equal(isSecretField('Password'), true);
    assert.equal(isSecretField('api-key'), true);
  });

  it('handles primitives and deep nesting without throwing', () => {
    assert.equal(redact(5), 5);
    assert.equal(redact(undefined), null);
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    assert.ok(JSON.stringify(redact(deep)).includes(REDACTED));
  });
});
