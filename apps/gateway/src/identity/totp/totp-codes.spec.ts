import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generate } from 'otplib';
import { hashRecoveryCode, matchTotpStep, newRecoveryCodes, newTotpSecret, otpauthUrl, recoveryCodeMatches, TOTP_PERIOD } from './totp-codes.js';

const now = () => Math.floor(Date.now() / 1000);

describe('totp codes', () => {
  it('matches the current step and one step of drift, not two', async () => {
    const secret = newTotpSecret();
    const step = Math.floor(now() / TOTP_PERIOD);
    const cur = await generate({ secret, epoch: now() });
    const got = await matchTotpStep(secret, cur, null);
    assert.ok(got === step || got === step + 1, `step ${got}`);
    assert.equal(await matchTotpStep(secret, await generate({ secret, epoch: now() + 30 }), null), Math.floor((now() + 30) / TOTP_PERIOD));
    assert.equal(await matchTotpStep(secret, await generate({ secret, epoch: now() + 95 }), null), null);
    assert.equal(await matchTotpStep(secret, 'abcdef', null), null);
  });

  it('refuses a step at or before the last one used', async () => {
    const secret = newTotpSecret();
    const code = await generate({ secret, epoch: now() + 30 });
    const step = await matchTotpStep(secret, code, null);
    assert.ok(step);
    assert.equal(await matchTotpStep(secret, code, step), null);
    assert.equal(await matchTotpStep(secret, code, step - 1), step);
  });

  it('builds the otpauth URL with issuer and label', () => {
    const url = new URL(otpauthUrl('a@example.com', 'JBSWY3DPEHPK3PXP'));
    assert.equal(url.searchParams.get('issuer'), 'Mailplane');
    assert.equal(url.searchParams.get('secret'), 'JBSWY3DPEHPK3PXP');
    assert.match(decodeURIComponent(url.pathname), /Mailplane:a@example\.com$/);
  });

  it('recovery codes: ten distinct, salted hashes, case and dashes ignored', () => {
    const codes = newRecoveryCodes();
    assert.equal(new Set(codes).size, 10);
    for (const c of codes) assert.match(c, /^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    const a = hashRecoveryCode(codes[0]!);
    const b = hashRecoveryCode(codes[0]!);
    assert.notEqual(a.hash, b.hash, 'per-code salt');
    assert.ok(recoveryCodeMatches(codes[0]!.toLowerCase().replace('-', ' '), a.salt, a.hash));
    assert.ok(!recoveryCodeMatches(codes[1]!, a.salt, a.hash));
  });
});
