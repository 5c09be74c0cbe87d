import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectStateUrl } from './object-state-url.js';

const GETS = new Set([
  '/api/v1/domains', '/api/v1/domains/:domain', '/api/v1/mailboxes/:mailbox', '/api/v1/api-keys/:id', '/api/v1/queue',
  '/api/v1/queue/items/:queueId', '/api/v1/dkim/:domain', '/api/v1/config/global', '/api/v1/services/:name',
]);
const hasGet = (p: string) => GETS.has(p);

describe('where an audited write reads its object', () => {
  it('PATCH/PUT/DELETE read the GET at their own path, query kept', () => {
    assert.deepEqual(objectStateUrl('PATCH', '/api/v1/domains/:domain', '/api/v1/domains/a.example', hasGet), { url: '/api/v1/domains/a.example', samePath: true });
    assert.deepEqual(objectStateUrl('PUT', '/api/v1/config/global', '/api/v1/config/global', hasGet), { url: '/api/v1/config/global', samePath: true });
    assert.deepEqual(objectStateUrl('DELETE', '/api/v1/dkim/:domain', '/api/v1/dkim/a.example?selector=s1', hasGet), {
      url: '/api/v1/dkim/a.example?selector=s1', samePath: true,
    });
  });

  it('an action after a parameter reads that parameter’s object', () => {
    assert.deepEqual(objectStateUrl('POST', '/api/v1/api-keys/:id/rotate', '/api/v1/api-keys/k1/rotate', hasGet), { url: '/api/v1/api-keys/k1', samePath: false });
    assert.deepEqual(objectStateUrl('POST', '/api/v1/queue/items/:queueId/hold', '/api/v1/queue/items/4A1B/hold', hasGet), { url: '/api/v1/queue/items/4A1B', samePath: false });
    assert.deepEqual(objectStateUrl('PATCH', '/api/v1/mailboxes/:mailbox/password', '/api/v1/mailboxes/b%40a.example/password', hasGet), {
      url: '/api/v1/mailboxes/b%40a.example', samePath: false,
    });
    assert.deepEqual(objectStateUrl('POST', '/api/v1/services/:name/restart', '/api/v1/services/postfix/restart', hasGet), { url: '/api/v1/services/postfix', samePath: false });
  });

  it('creates, collection actions and routes without a readable object have none', () => {
    assert.equal(objectStateUrl('POST', '/api/v1/domains', '/api/v1/domains', hasGet), null, 'GET there is the list');
    assert.equal(objectStateUrl('POST', '/api/v1/queue/flush', '/api/v1/queue/flush', hasGet), null, 'literal after a literal');
    assert.equal(objectStateUrl('PUT', '/api/v1/auth/password', '/api/v1/auth/password', hasGet), null);
    assert.equal(objectStateUrl('DELETE', '/api/v1/antispam/whitelist/:id', '/api/v1/antispam/whitelist/x', hasGet), null);
    assert.equal(objectStateUrl('POST', '/api/v1/tenants/:id/suspend', '/api/v1/tenants/t/suspend', hasGet), null, 'no GET of the parent');
  });
});
