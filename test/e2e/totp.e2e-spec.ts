import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { expectError } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

/** The code of the NEXT 30-second step: accepted (one step of drift) and never a step already spent. */
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
const currentCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) });

describe('TOTP two-factor authentication (e2e)', () => {
  let stack: TestStack;
  let email: string;
  let password: string;
  let token: string;
  let accountId: string;
  let secret: string;
  let recovery: string[];

  const login = () => stack.api().post('/api/v1/auth/login', { email, password });
  const secondStep = (mfa_token: string, code: string) => stack.api().post('/api/v1/auth/login/2fa', { mfa_token, code });
  const accountRow = async () => (await stack.db.query<Record<string, unknown>>(`SELECT * FROM accounts WHERE id = $1`, [accountId]))[0]!;
  /** The 2FA fields of GET /auth/me for a credential. */
  const me2fa = async (credential: string) => {
    const me = await stack.api(credential).get('/api/v1/auth/me');
    assert.equal(me.status, 200, me.text);
    return { totp_enabled: me.body.totp_enabled, recovery_codes_left: me.body.recovery_codes_left };
  };

  before(async () => {
    // trace: the log check at the end sees everything the gateway could log. Wrong codes count
    // towards the login lockout (test/e2e/login-lockout.e2e-spec.ts); a high threshold keeps it out
    // of the way of the per-mfa_token limit tested here.
    stack = await TestStack.start('totp', { logLevel: 'trace', env: { LOGIN_LOCKOUT_THRESHOLD: '100' } });
    const t = await stack.tenantAdmin('totp');
    ({ email, password, token } = t);
    accountId = (await stack.api(token).get('/api/v1/auth/me')).body.account_id;
  });
  after(async () => {
    await stack?.stop();
  });

  it('an API key may not manage 2FA (403)', async () => {
    expectError(await stack.api(stack.admin.apiKey).withApiKeyHeader().post('/api/v1/auth/totp/setup', {}), 403, 'FORBIDDEN');
    expectError(await stack.api(stack.admin.apiKey).post('/api/v1/auth/totp/confirm', { code: '123456' }), 403, 'FORBIDDEN');
  });

  it('setup returns a base32 secret, an otpauth URL and a QR code; the row holds only a sealed secret', async () => {
    assert.deepEqual(await me2fa(token), { totp_enabled: false, recovery_codes_left: null });
    const res = await stack.api(token).post('/api/v1/auth/totp/setup', {});
    assert.equal(res.status, 200, res.text);
    secret = res.body.secret;
    assert.match(secret, /^[A-Z2-7]{16,}=*$/);
    const url = new URL(res.body.otpauth_url);
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.host, 'totp');
    assert.equal(decodeURIComponent(url.pathname), `/Mailplane:${email}`);
    assert.equal(url.searchParams.get('secret'), secret);
    assert.equal(url.searchParams.get('issuer'), 'Mailplane');
    assert.match(res.body.qr_code, /^data:image\/png;base64,/);
    assert.ok(Buffer.from(res.body.qr_code.split(',')[1], 'base64').subarray(1, 4).toString() === 'PNG');

    const row = await accountRow();
    assert.equal(row.totp_enabled_at, null);
    assert.match(String(row.totp_secret_enc), /^v1\./);
    assert.ok(!JSON.stringify(row).includes(secret), 'the base32 secret is not in the accounts row');
    // A pending setup is not 2FA yet.
    assert.deepEqual(await me2fa(token), { totp_enabled: false, recovery_codes_left: null });
    // Not enabled yet: login still answers tokens directly.
    const direct = await login();
    assert.equal(direct.status, 200);
    assert.ok(direct.body.access_token);
  });

  it('a wrong confirm code is 400 and leaves 2FA off', async () => {
    const wrong = (Number(await currentCode(secret)) + 1) % 1_000_000;
    expectError(await stack.api(token).post('/api/v1/auth/totp/confirm', { code: String(wrong).padStart(6, '0') }), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(token).post('/api/v1/auth/totp/confirm', { code: 'abc' }), 400, 'VALIDATION_FAILED');
    const row = await accountRow();
    assert.equal(row.totp_enabled_at, null);
    const codes = await stack.db.query(`SELECT id FROM account_recovery_codes WHERE account_id = $1`, [accountId]);
    assert.equal(codes.length, 0);
  });

  it('confirm with a current code enables 2FA and returns ten recovery codes stored hashed', async () => {
    const res = await stack.api(token).post('/api/v1/auth/totp/confirm', { code: await currentCode(secret) });
    assert.equal(res.status, 200, res.text);
    recovery = res.body.recovery_codes;
    assert.equal(recovery.length, 10);
    assert.equal(new Set(recovery).size, 10);
    const row = await accountRow();
    assert.ok(row.totp_enabled_at);
    assert.ok(row.totp_last_step, 'the confirming step is remembered');
    const stored = await stack.db.query<{ salt: string; code_sha256: string }>(`SELECT salt, code_sha256 FROM account_recovery_codes WHERE account_id = $1`, [
      accountId,
    ]);
    assert.equal(stored.length, 10);
    assert.equal(new Set(stored.map((s) => s.salt)).size, 10, 'a salt per code');
    const dump = JSON.stringify(stored);
    for (const c of recovery) assert.ok(!dump.includes(c) && !dump.includes(c.replace('-', '')));
    expectError(await stack.api(token).post('/api/v1/auth/totp/setup', {}), 409, 'CONFLICT');
    expectError(await stack.api(token).post('/api/v1/auth/totp/confirm', { code: await nextCode(secret) }), 409, 'CONFLICT');
    assert.deepEqual(await me2fa(token), { totp_enabled: true, recovery_codes_left: 10 });
  });

  it('login now needs the second step; a TOTP code works once, a wrong code is 401', async () => {
    const first = await login();
    assert.equal(first.status, 200);
    assert.equal(first.body.mfa_required, true);
    assert.match(first.body.mfa_token, /^mfa_/);
    assert.equal(first.body.access_token, undefined);
    assert.equal(first.body.refresh_token, undefined);
    // The mfa_token is no bearer token.
    expectError(await stack.api(first.body.mfa_token).get('/api/v1/auth/me'), 401, 'UNAUTHORIZED');

    const code = await nextCode(secret);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expectError(await secondStep(first.body.mfa_token, wrong), 401, 'UNAUTHORIZED');
    const ok = await secondStep(first.body.mfa_token, code);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.token_type, 'Bearer');
    assert.match(ok.body.refresh_token, /^rt_/);
    const me = await stack.api(ok.body.access_token).get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.email, email);

    // The mfa_token is spent.
    expectError(await secondStep(first.body.mfa_token, code), 401, 'UNAUTHORIZED');
    // The same code on a fresh login is a replay.
    const again = await login();
    expectError(await secondStep(again.body.mfa_token, code), 401, 'UNAUTHORIZED');
    expectError(await secondStep('mfa_unknown', code), 401, 'UNAUTHORIZED');
    expectError(await stack.api().post('/api/v1/auth/login/2fa', { mfa_token: again.body.mfa_token }), 400, 'VALIDATION_FAILED');
  });

  it('an expired mfa_token is 401', async () => {
    const first = await login();
    await stack.db.query(`UPDATE mfa_login_tokens SET expires_at = now() - interval '1 second' WHERE account_id = $1 AND used_at IS NULL`, [accountId]);
    expectError(await secondStep(first.body.mfa_token, recovery[9]!), 401, 'UNAUTHORIZED');
    const unspent = await stack.db.query(`SELECT id FROM account_recovery_codes WHERE account_id = $1 AND used_at IS NULL`, [accountId]);
    assert.equal(unspent.length, 10, 'nothing was spent');
  });

  it('five wrong codes spend the mfa_token', async () => {
    const first = await login();
    for (let i = 0; i < 5; i++) expectError(await secondStep(first.body.mfa_token, 'WRONG-CODE'), 401, 'UNAUTHORIZED');
    expectError(await secondStep(first.body.mfa_token, recovery[8]!), 401, 'UNAUTHORIZED');
  });

  it('a recovery code works once and not twice (any case, without the dash)', async () => {
    const first = await login();
    const ok = await secondStep(first.body.mfa_token, recovery[0]!.toLowerCase().replace('-', ''));
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.body.access_token);
    const again = await login();
    expectError(await secondStep(again.body.mfa_token, recovery[0]!), 401, 'UNAUTHORIZED');
    const used = await stack.db.query(`SELECT id FROM account_recovery_codes WHERE account_id = $1 AND used_at IS NOT NULL`, [accountId]);
    assert.equal(used.length, 1);
    assert.deepEqual(await me2fa(ok.body.access_token), { totp_enabled: true, recovery_codes_left: 9 });
  });

  it('API keys are unaffected by 2FA', async () => {
    const key = (await stack.api(token).post('/api/v1/api-keys', { name: 'after 2fa', scopes: ['domains:read'] })).body.key as string;
    const me = await stack.api(key).withApiKeyHeader().get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.auth, 'api_key');
    // /auth/me describes the key's owning account, its 2FA included.
    assert.equal(me.body.email, email);
    assert.deepEqual(await me2fa(key), { totp_enabled: true, recovery_codes_left: 9 });
    assert.equal((await stack.api(key).get('/api/v1/domains')).status, 200);
  });

  it('disable refuses a wrong password (401) or a wrong code (400) and changes nothing', async () => {
    expectError(await stack.api(token).post('/api/v1/auth/totp/disable', { password: 'not the password' }), 401, 'UNAUTHORIZED');
    expectError(await stack.api(token).post('/api/v1/auth/totp/disable', { code: recovery[0]! }), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(token).post('/api/v1/auth/totp/disable', {}), 400, 'VALIDATION_FAILED');
    const row = await accountRow();
    assert.ok(row.totp_enabled_at);
    assert.equal((await login()).body.mfa_required, true);
    assert.deepEqual(await me2fa(token), { totp_enabled: true, recovery_codes_left: 9 });
  });

  it('disable with the password turns 2FA off; login answers tokens again', async () => {
    const res = await stack.api(token).post('/api/v1/auth/totp/disable', { password });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { totp_enabled: false });
    const row = await accountRow();
    assert.equal(row.totp_enabled_at, null);
    assert.equal(row.totp_secret_enc, null);
    assert.equal((await stack.db.query(`SELECT id FROM account_recovery_codes WHERE account_id = $1`, [accountId])).length, 0);
    const direct = await login();
    assert.equal(direct.status, 200);
    assert.ok(direct.body.access_token);
    assert.equal(direct.body.mfa_required, undefined);
    expectError(await stack.api(token).post('/api/v1/auth/totp/disable', { password }), 409, 'CONFLICT');
    assert.deepEqual(await me2fa(token), { totp_enabled: false, recovery_codes_left: null });
  });

  it('re-enrol and disable with a current code', async () => {
    const setup = await stack.api(token).post('/api/v1/auth/totp/setup', {});
    assert.equal(setup.status, 200);
    assert.notEqual(setup.body.secret, secret);
    const s2 = setup.body.secret as string;
    assert.equal((await stack.api(token).post('/api/v1/auth/totp/confirm', { code: await currentCode(s2) })).status, 200);
    const res = await stack.api(token).post('/api/v1/auth/totp/disable', { code: await nextCode(s2) });
    assert.equal(res.status, 200, res.text);
    assert.equal((await accountRow()).totp_enabled_at, null);
    secret = `${secret}|${s2}`;
  });

  it('a gateway without MAILPLANE_SECRET_KEY answers 503 on setup and on logging in an account with 2FA', async () => {
    const setup = await stack.api(token).post('/api/v1/auth/totp/setup', {});
    const s3 = setup.body.secret as string;
    assert.equal((await stack.api(token).post('/api/v1/auth/totp/confirm', { code: await currentCode(s3) })).status, 200);
    secret = `${secret}|${s3}`;
    const gw2 = await stack.startGateway('gateway-nokey', { MAILPLANE_SECRET_KEY: undefined });
    try {
      const api2 = gw2.api();
      const other = await stack.tenantAdmin('totp-nokey');
      const res = await gw2.api(other.token).post('/api/v1/auth/totp/setup', {});
      const err = expectError(res, 503, 'DEPENDENCY_UNAVAILABLE');
      assert.match(err.detail, /MAILPLANE_SECRET_KEY/);
      expectError(await api2.post('/api/v1/auth/login', { email, password }), 503, 'DEPENDENCY_UNAVAILABLE');
      // Accounts without 2FA log in as before.
      assert.ok((await api2.post('/api/v1/auth/login', { email: other.email, password: other.password })).body.access_token);
    } finally {
      await gw2.proc.stop();
    }
  });

  it('no secret or recovery code ever appears in the gateway log', () => {
    const log = stack.gateway.output.join('');
    assert.ok(log.length > 0);
    for (const s of secret.split('|')) assert.ok(!log.includes(s), 'a TOTP secret was logged');
    for (const c of recovery) assert.ok(!log.includes(c), 'a recovery code was logged');
  });
});
