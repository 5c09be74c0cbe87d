import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRoute } from './audit-action.js';

describe('audit action names', () => {
  const cases: [string, string, Record<string, string> | undefined, string, string, string | null][] = [
    ['POST', '/api/v1/domains', undefined, 'domains.create', 'domains', null],
    ['PATCH', '/api/v1/domains/:domain', { domain: 'example.com' }, 'domains.update', 'domains', 'example.com'],
    ['DELETE', '/api/v1/domains/:domain', { domain: 'x' }, 'domains.delete', 'domains', 'x'],
    ['PUT', '/api/v1/domains/:domain/overrides', { domain: 'x' }, 'domains.overrides.update', 'domains', 'x'],
    ['POST', '/api/v1/api-keys', undefined, 'api_keys.create', 'api_keys', null],
    ['DELETE', '/api/v1/api-keys/:id', { id: 'k' }, 'api_keys.delete', 'api_keys', 'k'],
    ['POST', '/api/v1/auth/login', undefined, 'auth.login', 'auth', null],
    ['POST', '/api/v1/auth/refresh', undefined, 'auth.refresh', 'auth', null],
    ['POST', '/api/v1/dkim/:domain/rotate', { domain: 'x' }, 'dkim.rotate', 'dkim', 'x'],
    ['POST', '/api/v1/queue/items/:queueId/hold', { queueId: 'Q1' }, 'queue.items.hold', 'queue', 'Q1'],
    ['POST', '/api/v1/antispam/whitelist', undefined, 'antispam.whitelist.create', 'antispam', null],
    ['POST', '/api/v1/mailboxes/import/preview', undefined, 'mailboxes.import.preview', 'mailboxes', null],
    ['PUT', '/api/v1/config/global', undefined, 'config.global.update', 'config', null],
    ['POST', '/api/v1/system/reconcile', undefined, 'system.reconcile', 'system', null],
  ];
  for (const [m, url, params, action, resource, id] of cases) {
    it(`${m} ${url} → ${action}`, () => {
      assert.deepEqual(describeRoute(m, url, params), { action, resource, resource_param: id });
    });
  }
});
