import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { expectError, type ApiResponse } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

const STATEMENT_TIMEOUT_MS = 1500;
/** Statement timeout plus room for the RPC hop, auth and a busy 2-core machine. */
const ANSWER_WITHIN_MS = 4000;

/**
 * A table held under an ACCESS EXCLUSIVE lock stalls every statement touching it: the request
 * must answer 504 with the error envelope after about DATABASE_STATEMENT_TIMEOUT_MS, not hang,
 * whether the stalled query runs in a service (behind NATS) or in the gateway itself.
 */
describe('database timeouts (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;

  /** Runs `fn` while another session holds `table` locked; the lock is released afterwards. */
  async function whileLocked<T>(table: string, fn: () => Promise<T>): Promise<T> {
    const locker = new pg.Client({ connectionString: stack.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      return await fn();
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  }
  async function timed(req: () => Promise<ApiResponse>): Promise<{ res: ApiResponse; ms: number }> {
    const t = Date.now();
    const res = await req();
    return { res, ms: Date.now() - t };
  }

  before(async () => {
    stack = await TestStack.start('db_timeouts', {
      // Credentials stay cached for the whole suite: the stalled query is the one under test, not the auth lookup.
      authCacheTtlMs: 60_000,
      env: { DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS), DATABASE_CONNECT_TIMEOUT_MS: '2000' },
    });
    a = await stack.tenantAdmin('timeouts-a');
    assert.equal((await stack.api(a.apiKey).post('/api/v1/domains', { name: 'locked.example' })).status, 201);
  });
  after(async () => {
    await stack?.stop();
  });

  it('a service query on a locked table (GET /domains through domain-service) answers 504 in about the statement timeout; released, 200', async () => {
    assert.equal((await stack.api(a.apiKey).get('/api/v1/domains')).status, 200, 'credential cached before the lock');
    const { res, ms } = await whileLocked('domains', () => timed(() => stack.api(a.apiKey).get('/api/v1/domains')));
    const body = expectError(res, 504, 'UPSTREAM_TIMEOUT');
    assert.match(body.detail, /database/i);
    assert.ok(ms >= STATEMENT_TIMEOUT_MS - 100 && ms < ANSWER_WITHIN_MS, `answered after ${ms} ms`);
    assert.equal((await stack.api(a.apiKey).get('/api/v1/domains')).status, 200);
  });

  it('a gateway query on a locked table (GET /api-keys) answers 504 likewise; released, 200', async () => {
    assert.equal((await stack.api(a.token).get('/api/v1/api-keys')).status, 200);
    const { res, ms } = await whileLocked('api_keys', () => timed(() => stack.api(a.token).get('/api/v1/api-keys')));
    expectError(res, 504, 'UPSTREAM_TIMEOUT');
    assert.ok(ms < ANSWER_WITHIN_MS, `answered after ${ms} ms`);
    assert.equal((await stack.api(a.token).get('/api/v1/api-keys')).status, 200);
  });

  it('a credential check that stalls is a 504, not a 401 or 500', async () => {
    const fresh = await stack.api(a.token).post('/api/v1/api-keys', { name: 'never used', scopes: ['domains:read'] });
    assert.equal(fresh.status, 201);
    const { res, ms } = await whileLocked('api_keys', () => timed(() => stack.api(fresh.body.key).get('/api/v1/domains')));
    expectError(res, 504, 'UPSTREAM_TIMEOUT');
    assert.ok(ms < ANSWER_WITHIN_MS, `answered after ${ms} ms`);
    assert.equal((await stack.api(fresh.body.key).get('/api/v1/domains')).status, 200);
  });

  it('a write whose audit entry stalls (audit_log locked) answers 503, not a silent 2xx', async () => {
    const { res, ms } = await whileLocked('audit_log', () => timed(() => stack.api(a.apiKey).patch('/api/v1/domains/locked.example', { active: false })));
    assert.match(expectError(res, 503, 'DEPENDENCY_UNAVAILABLE').detail, /audit entry could not be written/);
    assert.ok(ms < ANSWER_WITHIN_MS + 1000, `answered after ${ms} ms`);
    const ok = await stack.api(a.apiKey).patch('/api/v1/domains/locked.example', { active: true });
    assert.equal(ok.status, 200);
  });
});
