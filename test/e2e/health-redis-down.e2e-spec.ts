import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, waitFor } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

describe('health with Redis unreachable (e2e)', () => {
  let stack: TestStack;

  before(async () => {
    // A port nothing listens on: Redis is "down" for this stack only.
    stack = await TestStack.start('redis_down', { redisUrl: `redis://127.0.0.1:${await freePort()}/0` });
    // Only liveness was awaited at start: wait until domain-service answers too.
    await waitFor('domain-service', async () => (await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status === 200);
  });
  after(async () => {
    await stack?.stop();
  });

  it('/health is 503 naming redis, /health/live stays 200, domain routes keep working', async () => {
    const h = await stack.api().get('/health');
    assert.equal(h.status, 503);
    assert.equal(h.body.details.redis.status, 'down');
    assert.equal(h.body.details.database.status, 'up');
    assert.equal(h.body.details['domain-service'].status, 'up');
    assert.equal((await stack.api().get('/health/live')).status, 200);
    assert.equal((await stack.api(stack.admin.apiKey).get('/api/v1/domains')).status, 200);
  });
});
