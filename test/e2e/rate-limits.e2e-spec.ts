import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ApiClient, expectError, type ApiResponse } from '../helpers/api-client.js';
import { freePort, Proc, waitFor } from '../helpers/processes.js';
import { TestStack, type ExtraGateway } from '../helpers/stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOGIN_LIMIT = 10;

/** RateLimit-* of a response as numbers (NaN when missing). */
function limits(res: ApiResponse): { limit: number; remaining: number; reset: number } {
  return {
    limit: Number(res.headers.get('ratelimit-limit') ?? NaN),
    remaining: Number(res.headers.get('ratelimit-remaining') ?? NaN),
    reset: Number(res.headers.get('ratelimit-reset') ?? NaN),
  };
}

function assertReset(res: ApiResponse): void {
  const { reset } = limits(res);
  assert.ok(reset >= 1 && reset <= 60, `RateLimit-Reset ${reset} must be 1..60 s`);
}

function expectRateLimited(res: ApiResponse): void {
  expectError(res, 429, 'RATE_LIMITED');
  const retry = Number(res.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 60, `Retry-After ${res.headers.get('retry-after')} must be 1..60 s`);
  assert.equal(limits(res).remaining, 0);
  assertReset(res);
}

describe('rate limits (e2e)', () => {
  let stack: TestStack;
  let admin: ApiClient;
  let gateway2: ExtraGateway;
  const extra: Proc[] = [];

  before(async () => {
    // 127.0.0.1 (the test runner) is the "proxy": X-Forwarded-For then names the client IP.
    stack = await TestStack.start('rate_limits', { loginRateLimitPerMin: LOGIN_LIMIT, env: { TRUST_PROXY: '127.0.0.1' } });
    admin = stack.api(stack.admin.apiKey);
    gateway2 = await stack.startGateway('gateway-2');
  });
  after(async () => {
    await Promise.allSettled(extra.map((p) => p.stop()));
    await stack?.stop();
  });

  async function keyWithLimit(name: string, limit?: number, by: ApiClient = admin, scopes = ['domains:read']): Promise<{ id: string; key: string }> {
    const res = await by.post('/api/v1/api-keys', { name, scopes, ...(limit === undefined ? {} : { rate_limit_per_min: limit }) });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.rate_limit_per_min, limit ?? null);
    return { id: res.body.id, key: res.body.key };
  }

  it('rejects a bad rate_limit_per_min with 400 and creates nothing', async () => {
    const before = (await admin.get('/api/v1/api-keys?limit=500')).body.meta.total;
    for (const bad of [0, -1, 2.5, 'fast', 1_000_001]) {
      const res = await admin.post('/api/v1/api-keys', { name: 'bad limit', scopes: ['domains:read'], rate_limit_per_min: bad });
      const err = expectError(res, 400, 'VALIDATION_FAILED');
      assert.ok(
        err.fields?.some((f) => f.field === 'rate_limit_per_min'),
        res.text,
      );
    }
    assert.equal((await admin.get('/api/v1/api-keys?limit=500')).body.meta.total, before);
  });

  it('counts down RateLimit-Remaining, then answers 429 RATE_LIMITED with Retry-After; the counter lives under the database prefix', async () => {
    const k = await keyWithLimit('five a minute', 5);
    const api = stack.api(k.key);
    for (let i = 1; i <= 5; i++) {
      const res = await api.get('/api/v1/auth/me');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual([limits(res).limit, limits(res).remaining], [5, 5 - i]);
      assertReset(res);
    }
    expectRateLimited(await api.get('/api/v1/auth/me'));
    // Shown on the key itself as well, and another key is not affected.
    const shown = await admin.get(`/api/v1/api-keys/${k.id}`);
    assert.equal(shown.body.rate_limit_per_min, 5);
    assert.equal(limits(shown).limit, 100_000);

    const redis = new Redis(stack.env.REDIS_URL!, { lazyConnect: true });
    try {
      await redis.connect();
      const count = await redis.get(`mailplane:${stack.db.name}:ratelimit:key:${k.id}`);
      assert.equal(count, '6');
      const ttl = await redis.pttl(`mailplane:${stack.db.name}:ratelimit:key:${k.id}`);
      assert.ok(ttl > 0 && ttl <= 60_000, `window ttl ${ttl}`);
    } finally {
      redis.disconnect();
    }
  });

  it('headers come with errors of a limited request too (a 404 still counts)', async () => {
    const k = await keyWithLimit('errors count', 2);
    const api = stack.api(k.key);
    const missing = await api.get('/api/v1/domains/nothing-here.example');
    assert.equal(missing.status, 404);
    assert.deepEqual([limits(missing).limit, limits(missing).remaining], [2, 1]);
    assert.equal((await api.get('/api/v1/auth/me')).status, 200);
    expectRateLimited(await api.get('/api/v1/domains/nothing-here.example'));
  });

  it('two gateway processes share one budget: 3 requests on each, the 6th is 429', async () => {
    const k = await keyWithLimit('shared budget', 5);
    const one = stack.api(k.key);
    const two = new ApiClient(gateway2.url, k.key);
    for (let i = 1; i <= 3; i++) {
      const res = await one.get('/api/v1/auth/me');
      assert.equal(res.status, 200);
      assert.equal(limits(res).remaining, 5 - i);
    }
    for (let i = 4; i <= 5; i++) {
      const res = await two.get('/api/v1/auth/me');
      assert.equal(res.status, 200);
      assert.equal(limits(res).remaining, 5 - i);
    }
    expectRateLimited(await two.get('/api/v1/auth/me'));
    expectRateLimited(await one.get('/api/v1/auth/me'));
  });

  it("a tenant's limit applies to its keys without their own and to its accounts; a key's own limit wins", async () => {
    const t = await stack.tenantAdmin('rl-tenant');
    const own = await keyWithLimit('own limit', 7, stack.api(t.token), ['domains:read', 'api_keys:write']);
    await stack.db.query(`UPDATE tenants SET rate_limit_per_min = 3 WHERE id = $1`, [t.tenantId]);
    await sleep(1100); // limits are cached for AUTH_CACHE_TTL_MS (1 s in the test stack)

    const inherited = stack.api(t.apiKey);
    for (let i = 1; i <= 3; i++) {
      const res = await inherited.get('/api/v1/auth/me');
      assert.equal(res.status, 200);
      assert.deepEqual([limits(res).limit, limits(res).remaining], [3, 3 - i]);
    }
    expectRateLimited(await inherited.get('/api/v1/auth/me'));

    const ownRes = await stack.api(own.key).get('/api/v1/auth/me');
    assert.equal(ownRes.status, 200);
    assert.deepEqual([limits(ownRes).limit, limits(ownRes).remaining], [7, 6]);
    // A key cannot mint a key with a higher limit than its own.
    const beyond = await stack.api(own.key).post('/api/v1/api-keys', { name: 'faster child', scopes: ['domains:read'], rate_limit_per_min: 8 });
    assert.match(expectError(beyond, 403, 'FORBIDDEN').detail, /limited to 7 requests per minute/);
    await keyWithLimit('child at cap', 7, stack.api(own.key));

    // The account (JWT) has a budget of its own with the tenant's limit; it spent 2 of 3 creating
    // keys above. Nor may it give a key more than the tenant has.
    const account = new ApiClient(gateway2.url, t.token);
    const tooMuch = await account.post('/api/v1/api-keys', { name: 'too fast', scopes: ['domains:read'], rate_limit_per_min: 4 });
    assert.match(expectError(tooMuch, 403, 'FORBIDDEN').detail, /limited to 3 requests per minute/);
    assert.deepEqual([limits(tooMuch).limit, limits(tooMuch).remaining], [3, 0]);
    expectRateLimited(await account.get('/api/v1/auth/me'));

    // Platform keys without an override keep RATE_LIMIT_PER_MIN.
    assert.equal(limits(await admin.get('/api/v1/auth/me')).limit, 100_000);
  });

  it(`login: the ${LOGIN_LIMIT + 1}th attempt in a minute from one client IP is 429, across gateways; another IP is unaffected`, async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    // A different email per attempt: this is about the per-IP budget, not the per-account lockout.
    const wrong = (i: number) => ({ email: `nobody${i}@mailplane.test`, password: 'not-the-password' });
    const gw2 = new ApiClient(gateway2.url);
    for (let i = 1; i <= LOGIN_LIMIT; i++) {
      const api = i % 2 ? stack.api() : gw2;
      const res = await api.post('/api/v1/auth/login', wrong(i), from('203.0.113.9'));
      assert.notEqual(res.status, 429, `attempt ${i}: ${res.text}`);
      assert.equal(res.status, 401, res.text);
      assert.deepEqual([limits(res).limit, limits(res).remaining], [LOGIN_LIMIT, LOGIN_LIMIT - i]);
    }
    // Even the right password is refused now, from that IP.
    const good = { email: stack.admin.email, password: stack.admin.password };
    expectRateLimited(await stack.api().post('/api/v1/auth/login', good, from('203.0.113.9')));
    expectRateLimited(await gw2.post('/api/v1/auth/login', good, from('203.0.113.9')));
    const other = await stack.api().post('/api/v1/auth/login', good, from('203.0.113.10'));
    assert.equal(other.status, 200, other.text);
    assert.deepEqual([limits(other).limit, limits(other).remaining], [LOGIN_LIMIT, LOGIN_LIMIT - 1]);
    // Refresh is not a login step: no per-IP budget.
    const refresh = await stack.api().post('/api/v1/auth/refresh', { refresh_token: other.body.refresh_token }, from('203.0.113.9'));
    assert.equal(refresh.status, 200, refresh.text);
    assert.equal(refresh.headers.get('ratelimit-limit'), null);
  });

  it('never fails open: while Redis is down each replica keeps counting, and the shared counters take over again with Redis', async () => {
    const redisPort = await freePort();
    const startRedis = () => {
      const r = new Proc(
        'redis',
        '/usr/bin/redis-server',
        ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        process.env,
      );
      extra.push(r);
      return r;
    };
    const redis = startRedis();
    const gw = await stack.startGateway('gateway-3', { REDIS_URL: `redis://127.0.0.1:${redisPort}/0` });
    const k = await keyWithLimit('redis down', 2);
    const api = new ApiClient(gw.url, k.key);
    // Its own Redis counts (wait for the gateway's connection to it first).
    await waitFor('gateway-3 counting in its Redis', async () => limits(await api.get('/api/v1/auth/me')).limit === 2);
    let served = 1;
    while ((await api.get('/api/v1/auth/me')).status === 200) assert.ok(++served <= 2, 'the third request in the window must be refused');

    await redis.stop('SIGKILL');
    // A fresh in-process window: at most the budget is served, then 429 again, with the headers.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.get('/api/v1/auth/me');
      statuses.push(res.status);
      assert.equal(limits(res).limit, 2, 'RateLimit headers while Redis is down');
    }
    assert.ok(statuses.filter((x) => x === 200).length <= 2, statuses.join(','));
    assert.equal(statuses.at(-1), 429, statuses.join(','));

    // Redis back (empty): its fresh window serves again while this replica's own window is spent.
    startRedis();
    await waitFor('gateway-3 counting in Redis again', async () => (await api.get('/api/v1/auth/me')).status === 200, 15_000);
    assert.ok(gw.proc.running);
  });
});
