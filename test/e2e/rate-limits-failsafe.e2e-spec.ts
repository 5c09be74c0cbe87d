import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { expectError } from '../helpers/api-client.js';
import { freePort, waitFor } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

/** A well-formed key whose key id no database holds. */
const bogusKey = (n: number) => `mp_${n.toString(16).padStart(16, '0')}_${'x'.repeat(43)}`;

describe('rate limits and lockout never fail open (e2e)', () => {
  describe('with Redis unreachable', () => {
    let stack: TestStack;

    before(async () => {
      stack = await TestStack.start('ratelimit_no_redis', {
        redisUrl: `redis://127.0.0.1:${await freePort()}/0`,
        loginRateLimitPerMin: 4,
        unauthRateLimitPerMin: 5,
        env: { LOGIN_LOCKOUT_THRESHOLD: '3' },
      });
      await waitFor('domain-service', async () => (await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status === 200);
    });
    after(async () => {
      await stack?.stop();
    });

    it('the per-IP login limit still answers 429 past its budget (counted in this replica)', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await stack.api().post('/api/v1/auth/login', { email: 'nobody@example.test', password: 'wrong' })).status);
      assert.ok(
        statuses.slice(0, 2).every((s) => s === 401),
        statuses.join(','),
      );
      assert.equal(statuses.at(-1), 429, statuses.join(','));
    });

    it('repeated wrong passwords still lock the account (and the right one is refused while locked)', async () => {
      // A fresh replica: its in-process counters start empty (the IP's login budget above was spent on the first).
      const gw = await stack.startGateway('gateway-lockout-no-redis');
      const email = stack.admin.email;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await gw.api().post('/api/v1/auth/login', { email, password: 'Wrong-Passw0rd!' })).status);
      assert.deepEqual(statuses, [401, 401, 401]);
      const locked = await gw.api().post('/api/v1/auth/login', { email, password: stack.admin.password });
      expectError(locked, 429, 'RATE_LIMITED');
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
      await gw.proc.stop();
    });

    it('requests with bogus keys are limited per client IP; a valid key is not', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await stack.api(bogusKey(i + 1)).get('/api/v1/domains')).status);
      assert.equal(statuses[0], 401);
      assert.equal(statuses.at(-1), 429, statuses.join(','));
      assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status, 200);
    });
  });

  describe('with Redis up', () => {
    let stack: TestStack;

    before(async () => {
      stack = await TestStack.start('ratelimit_unauth');
    });
    after(async () => {
      await stack?.stop();
    });

    it('a bogus key costs one database query: while api_keys is locked it is still refused at once, an unseen one waits', async () => {
      const key = bogusKey(0xbeef);
      expectError(await stack.api(key).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
      const locker = new pg.Client({ connectionString: stack.db.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        expectError(await stack.api(key).get('/api/v1/domains'), 401, 'UNAUTHORIZED');
        assert.ok(Date.now() - started < 1000, `answered in ${Date.now() - started} ms without the database`);
        const unseen = fetch(`${stack.baseUrl}/api/v1/domains`, { headers: { 'x-api-key': bogusKey(0xcafe) }, signal: AbortSignal.timeout(1500) });
        await assert.rejects(unseen, /abort|timeout/i, 'a key never seen before needs the (locked) table');
      } finally {
        await locker.query('ROLLBACK').catch(() => undefined);
        await locker.end();
      }
    });

    it('failed authentications past UNAUTH_RATE_LIMIT_PER_MIN answer 429 with Retry-After, counted per client IP across gateways', async () => {
      // Two replicas behind a trusted proxy, so the client is a fresh address of its own.
      const env = { UNAUTH_RATE_LIMIT_PER_MIN: '5', TRUST_PROXY: '127.0.0.1' };
      const gws = [await stack.startGateway('gateway-unauth-1', env), await stack.startGateway('gateway-unauth-2', env)];
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const credential = i % 2 ? 'not-a-key' : bogusKey(0xf000 + i);
        statuses.push((await gws[i % 2].api(credential).get('/api/v1/domains', from('198.51.100.77'))).status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
      const over = await gws[1].api().get('/api/v1/domains', from('198.51.100.77'));
      expectError(over, 429, 'RATE_LIMITED');
      assert.ok(Number(over.headers.get('retry-after')) >= 1);
      // Another client and valid credentials from the same one are not affected.
      expectError(await gws[0].api().get('/api/v1/domains', from('198.51.100.78')), 401, 'UNAUTHORIZED');
      assert.equal((await gws[0].api(stack.admin.apiKey).get('/api/v1/domains', from('198.51.100.77'))).status, 200);
      for (const gw of gws) await gw.proc.stop();
    });
  });
});
