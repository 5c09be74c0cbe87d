import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError } from '../helpers/api-client.js';
import { TestStack } from '../helpers/stack.js';

/** What the gateway answers when domain-service is gone (503) or hangs (504). */
describe('gateway → domain-service failures (e2e)', () => {
  let stack: TestStack;

  before(async () => {
    stack = await TestStack.start('resilience', { natsTimeoutMs: 1500 });
  });
  after(async () => {
    await stack?.stop();
  });

  it('answers normally while domain-service runs', async () => {
    assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status, 200);
  });

  it('domain-service stopped → 503 DEPENDENCY_UNAVAILABLE at once, /health 503; back after restart', async () => {
    await stack.domainService.stop();
    const started = Date.now();
    const res = expectError(await stack.api(stack.admin.apiKey).get('/api/v1/domains'), 503, 'DEPENDENCY_UNAVAILABLE');
    assert.ok(Date.now() - started < 1400, 'no responders is reported without waiting for the 1500 ms timeout');
    assert.match(res.detail, /domains/);
    expectError(await stack.api(stack.admin.apiKey).post('/api/v1/domains', { name: 'while-down.example' }), 503, 'DEPENDENCY_UNAVAILABLE');
    const health = await stack.api().get('/health');
    assert.equal(health.status, 503);
    assert.equal(health.body.status, 'error');
    assert.equal(health.body.details['domain-service'].status, 'down');
    assert.equal(health.body.details.database.status, 'up');
    assert.equal((await stack.api().get('/health/live')).status, 200);
    // Routes that need no service keep working.
    assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/auth/me')).status, 200);
    await stack.startDomainService();
    assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status, 200);
    assert.equal((await stack.db.query(`SELECT 1 FROM domains WHERE name = 'while-down.example'`)).length, 0);
  });

  it('the mail node is reported by /health but not critical: its services down leave /health 200', async () => {
    await stack.apps.get('stats-service')!.stop();
    await stack.apps.get('worker')!.stop();
    const health = await stack.api().get('/health');
    assert.equal(health.status, 200, health.text);
    assert.equal(health.body.status, 'ok');
    assert.equal(health.body.mail_node.status, 'down');
    assert.equal(health.body.mail_node['stats-service'].status, 'down');
    assert.equal(health.body.mail_node['queue-service'].status, 'up');
    // BullMQ forgets a stopped worker's connection once Redis drops it; the count may lag a moment.
    assert.ok(['up', 'down'].includes(health.body.mail_node.worker.status));
    expectError(await stack.api(stack.admin.apiKey).get('/api/v1/stats'), 503, 'DEPENDENCY_UNAVAILABLE');
  });

  it('domain-service frozen → 504 UPSTREAM_TIMEOUT after the configured timeout', async () => {
    stack.domainService.child.kill('SIGSTOP');
    try {
      const started = Date.now();
      const res = expectError(await stack.api(stack.admin.apiKey).get('/api/v1/domains'), 504, 'UPSTREAM_TIMEOUT');
      const took = Date.now() - started;
      assert.ok(took >= 1400 && took < 4000, `took ${took} ms for a 1500 ms timeout`);
      assert.match(res.detail, /1500 ms/);
    } finally {
      stack.domainService.child.kill('SIGCONT');
    }
    assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status, 200);
  });

  it('NATS down → 503 at once (not a 504 after the timeout); recovers when NATS is back', async () => {
    await stack.nats.kill();
    try {
      // The gateway notices the disconnect within moments.
      let res = await stack.api(stack.admin.apiKey).get('/api/v1/domains');
      for (let i = 0; i < 20 && res.status !== 503; i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await stack.api(stack.admin.apiKey).get('/api/v1/domains');
      }
      const started = Date.now();
      const err = expectError(await stack.api(stack.admin.apiKey).get('/api/v1/domains'), 503, 'DEPENDENCY_UNAVAILABLE');
      assert.ok(Date.now() - started < 1000);
      assert.match(err.detail, /message bus/i);
      const health = await stack.api().get('/health');
      assert.equal(health.status, 503);
      assert.equal(health.body.details.nats.status, 'down');
    } finally {
      await stack.nats.start();
    }
    await stack.waitHealthy();
    assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status, 200);
  });
});
