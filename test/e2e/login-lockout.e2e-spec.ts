import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { generate } from 'otplib';
import { expectError, type ApiClient, type ApiResponse } from '../helpers/api-client.js';
import { TestStack, type ExtraGateway } from '../helpers/stack.js';

const THRESHOLD = 3;
const MAX_SECONDS = 3;
const IP_THRESHOLD = 10;

/** The code of the next 30-second step: accepted (one step of drift), never one already spent. */
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
const currentCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) });
const wrongCode = async (secret: string) => String((Number(await nextCode(secret)) + 1) % 1_000_000).padStart(6, '0');
/** 127.0.0.1 (the test runner) is a trusted proxy here: X-Forwarded-For names the client IP. */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

/** A lockout answer: 429 RATE_LIMITED, Retry-After in seconds, the detail naming what is locked. */
function expectLocked(res: ApiResponse, retryAfter: number, what: RegExp): void {
  assert.match(expectError(res, 429, 'RATE_LIMITED').detail, what);
  assert.equal(res.headers.get('retry-after'), String(retryAfter), `Retry-After of ${res.text}`);
}

/**
 * The login lockout (LoginLockoutService) across two gateway replicas sharing Redis, and what counts
 * towards it besides wrong passwords: wrong second-factor codes on POST /auth/login/2fa and wrong codes
 * or passwords on POST /auth/totp/disable.
 */
describe('login lockout (e2e)', () => {
  let stack: TestStack;
  let gw2: ExtraGateway;
  let redis: Redis;
  /** Both gateways, to alternate between. */
  let via: [ApiClient, ApiClient];

  before(async () => {
    stack = await TestStack.start('login_lockout', {
      env: {
        LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD),
        LOGIN_LOCKOUT_MAX_SECONDS: String(MAX_SECONDS),
        LOGIN_IP_LOCKOUT_THRESHOLD: String(IP_THRESHOLD),
        TRUST_PROXY: '127.0.0.1',
      },
    });
    gw2 = await stack.startGateway('gateway-2');
    via = [stack.api(), gw2.api()];
    redis = new Redis(stack.env.REDIS_URL!, { lazyConnect: true });
    await redis.connect();
  });
  after(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  const key = (kind: 'account' | 'ip', id: string) => `mailplane:${stack.db.name}:login-lockout:${kind}:${id}`;
  const fails = async (kind: 'account' | 'ip', id: string) => Number((await redis.hget(key(kind, id), 'fails')) ?? 0);
  const login = (api: ApiClient, email: string, password: string, ip: string) => api.post('/api/v1/auth/login', { email, password }, from(ip));
  const secondStep = (api: ApiClient, mfa_token: string, code: string, ip: string) => api.post('/api/v1/auth/login/2fa', { mfa_token, code }, from(ip));
  const me = async (token: string) => {
    const res = await stack.api(token).get('/api/v1/auth/me');
    assert.equal(res.status, 200, res.text);
    return { totp_enabled: res.body.totp_enabled, recovery_codes_left: res.body.recovery_codes_left };
  };

  it(`two gateways share the account lockout: ${THRESHOLD} failures lock both, the delay doubles up to the cap, a good login on the other replica resets`, async () => {
    const { email, password } = await stack.tenantAdmin('two-gateways');
    const ip = '198.51.100.1';
    for (let i = 0; i < THRESHOLD; i++) expectError(await login(via[i % 2]!, email, 'Wrong-password-1', ip), 401, 'UNAUTHORIZED');
    assert.equal(await fails('account', email), THRESHOLD);
    // Locked for 1 s on both replicas: even the right password is refused.
    for (const api of via) expectLocked(await login(api, email, password, ip), 1, /account/);

    // Each failure once a lock has ended doubles the delay (2 s), up to LOGIN_LOCKOUT_MAX_SECONDS (3 s, not 4).
    let retry = 1;
    for (const [i, expected] of [
      [0, 2],
      [1, MAX_SECONDS],
    ] as const) {
      await sleep(retry * 1000 + 150);
      expectError(await login(via[i], email, 'Wrong-password-1', ip), 401, 'UNAUTHORIZED');
      for (const api of via) expectLocked(await login(api, email, password, ip), expected, /account/);
      retry = expected;
    }
    assert.equal(await fails('account', email), THRESHOLD + 2);

    // Lock over: the right password works on the other replica than the last failure and resets the counter.
    await sleep(retry * 1000 + 150);
    const ok = await login(via[0], email, password, ip);
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.body.access_token);
    assert.equal(await redis.exists(key('account', email)), 0);
    // One failure no longer locks; the IP's counter is not reset by an account's success.
    expectError(await login(via[1], email, 'Wrong-password-1', ip), 401, 'UNAUTHORIZED');
    assert.equal((await login(via[0], email, password, ip)).status, 200);
    assert.equal(await fails('ip', ip), THRESHOLD + 3);
  });

  it(`concurrent guesses cannot slip in under the threshold: of 12 parallel wrong logins from 12 IPs at most ${THRESHOLD} are checked`, async () => {
    const { email, password } = await stack.tenantAdmin('parallel-guesses');
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => login(via[i % 2]!, email, `Wrong-password-${i}`, `198.51.100.${100 + i}`)));
    const statuses = burst.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, THRESHOLD, `statuses ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 12 - THRESHOLD, `statuses ${statuses.join(',')}`);
    assert.equal(await fails('account', email), THRESHOLD, 'refused attempts are not counted');
    // The right password counts as no failure: after the lock, one login works and resets.
    await sleep(1150);
    const ok = await login(via[1], email, password, '198.51.100.99');
    assert.equal(ok.status, 200, ok.text);
    assert.equal(await redis.exists(key('account', email)), 0);
    assert.equal(await fails('ip', '198.51.100.99'), 0, 'a successful attempt is taken back from its IP');
  });

  describe('with 2FA', () => {
    let email: string;
    let password: string;
    let token: string;
    let accountId: string;
    let secret: string;
    let recovery: string[];

    before(async () => {
      ({ email, password, token } = await stack.tenantAdmin('two-factor'));
      assert.deepEqual(await me(token), { totp_enabled: false, recovery_codes_left: null });
      const setup = await stack.api(token).post('/api/v1/auth/totp/setup', {});
      assert.equal(setup.status, 200, setup.text);
      secret = setup.body.secret;
      const confirm = await stack.api(token).post('/api/v1/auth/totp/confirm', { code: await currentCode(secret) });
      assert.equal(confirm.status, 200, confirm.text);
      recovery = confirm.body.recovery_codes;
      assert.deepEqual(await me(token), { totp_enabled: true, recovery_codes_left: 10 });
      accountId = (await stack.api(token).get('/api/v1/auth/me')).body.account_id;
    });

    const failedAttempts = async (mfaToken: string) =>
      (
        await stack.db.query<{ failed_attempts: number }>(
          `SELECT failed_attempts FROM mfa_login_tokens WHERE token_sha256 = encode(sha256($1::bytea), 'hex')`,
          [mfaToken],
        )
      )[0]!.failed_attempts;

    it('wrong codes on /auth/login/2fa lock the account for both login steps on both gateways; only the completed second step resets', async () => {
      const ip = '198.51.100.2';
      const first = await login(via[0], email, password, ip);
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.mfa_required, true);
      expectError(await secondStep(via[0], first.body.mfa_token, await wrongCode(secret), ip), 401, 'UNAUTHORIZED');
      expectError(await secondStep(via[1], first.body.mfa_token, 'WRONG-CODE', ip), 401, 'UNAUTHORIZED');
      assert.equal(await fails('account', email), 2);
      assert.equal(await fails('ip', ip), 2);

      // The right password is only half a login: it must not wipe out the failed codes.
      const second = await login(via[1], email, password, ip);
      assert.equal(second.body.mfa_required, true, second.text);
      assert.equal(await fails('account', email), 2);
      const lastStep = (await stack.db.query<{ totp_last_step: string }>(`SELECT totp_last_step FROM accounts WHERE id = $1`, [accountId]))[0]!.totp_last_step;
      expectError(await secondStep(via[0], second.body.mfa_token, await wrongCode(secret), ip), 401, 'UNAUTHORIZED');

      // Locked (for 1 s): 429 before the code is checked, on both gateways and for both steps, whatever the IP.
      for (const api of via) {
        expectLocked(await secondStep(api, second.body.mfa_token, await nextCode(secret), ip), 1, /account/);
        expectLocked(await login(api, email, password, '198.51.100.99'), 1, /account/);
      }
      // Nothing was checked or spent while locked.
      assert.equal(await fails('account', email), THRESHOLD);
      assert.equal(await failedAttempts(second.body.mfa_token), 1);
      assert.equal(
        (await stack.db.query<{ totp_last_step: string }>(`SELECT totp_last_step FROM accounts WHERE id = $1`, [accountId]))[0]!.totp_last_step,
        lastStep,
      );

      // Once the lock is over the same mfa_token completes the login, and that resets the account's counter (not the IP's).
      await sleep(1150);
      const ok = await secondStep(via[1], second.body.mfa_token, await nextCode(secret), ip);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.token_type, 'Bearer');
      assert.equal(await redis.exists(key('account', email)), 0);
      assert.equal(await fails('ip', ip), THRESHOLD);
    });

    it('a locked-out client IP gets 429 on /auth/login/2fa before the mfa_token or code is looked at', async () => {
      const ip = '198.51.100.3';
      const pending = await login(via[0], email, password, '198.51.100.4');
      assert.equal(pending.body.mfa_required, true, pending.text);
      // A different email each time: only the IP's counter reaches its threshold.
      for (let i = 0; i < IP_THRESHOLD; i++) expectError(await login(via[i % 2]!, `nobody${i}@mailplane.test`, 'Wrong-password-1', ip), 401, 'UNAUTHORIZED');
      for (const api of via) {
        expectLocked(await secondStep(api, pending.body.mfa_token, recovery[0]!, ip), 1, /IP address/);
        expectLocked(await secondStep(api, 'mfa_unknown', recovery[0]!, ip), 1, /IP address/);
      }
      assert.equal(await failedAttempts(pending.body.mfa_token), 0);
      assert.deepEqual(await me(token), { totp_enabled: true, recovery_codes_left: 10 });
      // The account itself is not locked: from another IP the untouched mfa_token and recovery code work.
      const ok = await secondStep(via[1], pending.body.mfa_token, recovery[0]!, '198.51.100.4');
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(await me(ok.body.access_token), { totp_enabled: true, recovery_codes_left: 9 });
    });

    it('wrong passwords and codes on POST /auth/totp/disable count towards the lockout; while locked it is 429 and 2FA stays on', async () => {
      const ip = '198.51.100.5';
      const disable = (body: object) => stack.api(token).post('/api/v1/auth/totp/disable', body, from(ip));
      expectError(await disable({ password: 'Wrong-password-1' }), 401, 'UNAUTHORIZED');
      expectError(await disable({ code: 'WRONG-CODE' }), 400, 'VALIDATION_FAILED');
      expectError(await disable({ code: await wrongCode(secret) }), 400, 'VALIDATION_FAILED');
      assert.equal(await fails('account', email), THRESHOLD);
      assert.equal(await fails('ip', ip), THRESHOLD);
      // Locked: even the right password is refused, and logging in is locked as well.
      expectLocked(await disable({ password }), 1, /account/);
      expectLocked(await login(via[1], email, password, '198.51.100.98'), 1, /account/);
      assert.deepEqual(await me(token), { totp_enabled: true, recovery_codes_left: 9 });

      await sleep(1150);
      const off = await disable({ password });
      assert.equal(off.status, 200, off.text);
      assert.deepEqual(off.body, { totp_enabled: false });
      assert.deepEqual(await me(token), { totp_enabled: false, recovery_codes_left: null });
      // Without 2FA the password alone logs in again (and resets the counter).
      const direct = await login(via[0], email, password, ip);
      assert.equal(direct.status, 200, direct.text);
      assert.ok(direct.body.access_token);
      assert.equal(await redis.exists(key('account', email)), 0);
    });
  });
});
