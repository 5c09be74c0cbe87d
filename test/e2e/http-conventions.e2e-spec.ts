import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { expectError } from '../helpers/api-client.js';
import { freePort } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

describe('HTTP conventions, OpenAPI and health (e2e)', () => {
  let stack: TestStack;
  let serviceHealthPort: number;

  before(async () => {
    serviceHealthPort = await freePort();
    stack = await TestStack.start('http', { serviceHealthPort, logLevel: 'info' });
  });
  after(async () => {
    await stack?.stop();
  });

  it('unknown routes are a 404 envelope, with or without credentials', async () => {
    expectError(await stack.api().get('/api/v1/nope'), 404, 'NOT_FOUND');
    expectError(await stack.api(stack.admin.apiKey).get('/api/v1/nope/deeper'), 404, 'NOT_FOUND');
    expectError(await stack.api(stack.admin.apiKey).request('PUT', '/api/v1/domains', {}), 404, 'NOT_FOUND');
  });

  it('writes without application/json are 415 and change nothing', async () => {
    const none = await stack.api(stack.admin.apiKey).request('POST', '/api/v1/domains', undefined);
    expectError(none, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await stack.api(stack.admin.apiKey).post('/api/v1/domains', 'name=x.example', { 'content-type': 'text/plain' });
    expectError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await stack.api(stack.admin.apiKey).post('/api/v1/domains', 'name=x.example', { 'content-type': 'application/x-www-form-urlencoded' });
    expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await stack.api().post('/api/v1/auth/login', 'x', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal((await stack.db.query(`SELECT 1 FROM domains`)).length, 0);
  });

  it('malformed or empty JSON is a 400', async () => {
    const bad = expectError(await stack.api(stack.admin.apiKey).post('/api/v1/domains', '{"name":'), 400, 'VALIDATION_FAILED');
    assert.equal(bad.error, 'Malformed JSON');
    expectError(await stack.api(stack.admin.apiKey).post('/api/v1/domains', ''), 400, 'VALIDATION_FAILED');
    expectError(await stack.api().post('/api/v1/auth/login', '{oops}'), 400, 'VALIDATION_FAILED');
  });

  it('echoes a request id, and makes one when none is sent', async () => {
    const given = await stack.api().get('/health/live', { 'x-request-id': 'abc-123' });
    assert.equal(given.headers.get('x-request-id'), 'abc-123');
    const made = await stack.api().get('/health/live');
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('logs one line per request with its id, and never a secret', async () => {
    const login = await stack.api().post('/api/v1/auth/login', { email: stack.admin.email, password: stack.admin.password });
    const key = await stack.api(login.body.access_token).post('/api/v1/api-keys', { name: 'log probe', scopes: ['domains:read'] });
    await stack.api(key.body.key).get('/api/v1/domains?search=secret-search', { 'x-request-id': 'log-probe-1' });
    await stack.api(key.body.key).withApiKeyHeader().get('/api/v1/auth/me');
    await new Promise((r) => setTimeout(r, 300));
    const out = stack.gateway.output.join('');
    const line = out.split('\n').find((l) => l.includes('log-probe-1'));
    assert.ok(line, 'the request is logged with its id');
    const entry = JSON.parse(line) as { msg: string; req: { method: string; url: string }; res: { statusCode: number } };
    assert.equal(entry.msg, 'request completed');
    assert.deepEqual([entry.req.method, entry.req.url, entry.res.statusCode], ['GET', '/api/v1/domains', 200]);
    for (const secret of [stack.admin.password, login.body.access_token, login.body.refresh_token, key.body.key, key.body.key.slice(20)]) {
      assert.ok(!out.includes(secret), 'a secret reached the log');
    }
  });

  it('health: live is trivial, /health checks every dependency', async () => {
    assert.deepEqual((await stack.api().get('/health/live')).body, { status: 'ok' });
    const h = await stack.api().get('/health');
    assert.equal(h.status, 200);
    for (const dep of ['database', 'redis', 'nats', 'domain-service', 'mailbox-service', 'dkim-tls-service'])
      assert.equal(h.body.details[dep].status, 'up', dep);
    // The mail node is reported (its services run in every test stack, without daemons) but is not critical.
    assert.equal(h.body.mail_node.node, 'default');
    assert.equal(h.body.mail_node['queue-service'].status, 'up');
    assert.equal(h.body.mail_node['stats-service'].status, 'up');
    assert.equal(h.body.mail_node.worker.status, 'up');
    assert.ok(h.body.mail_node.worker.workers >= 1);
  });

  it('domain-service answers its own liveness and readiness probes', async () => {
    const base = `http://127.0.0.1:${serviceHealthPort}`;
    assert.deepEqual(await (await fetch(`${base}/health/live`)).json(), { status: 'ok' });
    const ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  it('serves Swagger UI and a complete OpenAPI document', async () => {
    const ui = await stack.api().get('/api/docs');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger/i);
    const doc = await stack.api().get('/api/openapi.json');
    assert.equal(doc.status, 200);
    const spec = doc.body;
    assert.ok(spec.openapi.startsWith('3.'));
    assert.deepEqual(Object.keys(spec.components.securitySchemes).sort(), ['api-key', 'bearer']);
    assert.equal(spec.components.securitySchemes['api-key'].name, 'X-API-Key');
    const expected: Record<string, string[]> = {
      '/api/v1/auth/login': ['post'],
      '/api/v1/auth/refresh': ['post'],
      '/api/v1/auth/me': ['get'],
      '/api/v1/auth/oidc/callback': ['get'],
      '/api/v1/auth/oidc/config': ['get', 'put'],
      '/api/v1/auth/oidc/login': ['get'],
      '/api/v1/auth/logout': ['post'],
      '/api/v1/auth/password': ['put'],
      '/api/v1/auth/login/2fa': ['post'],
      '/api/v1/auth/totp/setup': ['post'],
      '/api/v1/auth/totp/confirm': ['post'],
      '/api/v1/auth/totp/disable': ['post'],
      '/api/v1/api-keys': ['get', 'post'],
      '/api/v1/api-keys/scopes': ['get'],
      '/api/v1/api-keys/{id}': ['get', 'patch', 'delete'],
      '/api/v1/api-keys/{id}/rotate': ['post'],
      '/api/v1/tenants': ['get', 'post'],
      '/api/v1/tenants/{id}': ['get', 'patch', 'delete'],
      '/api/v1/accounts': ['get', 'post'],
      '/api/v1/accounts/{id}': ['get', 'patch', 'delete'],
      '/api/v1/domains': ['get', 'post'],
      '/api/v1/domains/{domain}': ['get', 'patch', 'delete'],
      '/api/v1/domains/{domain}/overrides': ['get', 'put'],
      '/api/v1/domains/{domain}/antispam/{list}': ['get', 'post'],
      '/api/v1/domains/{domain}/antispam/{list}/{id}': ['delete'],
      '/api/v1/domains/{domain}/effective': ['get'],
      '/api/v1/config/global': ['get', 'put'],
      '/api/v1/config/domain-defaults': ['get', 'put'],
      '/api/v1/config/mailbox-defaults': ['get', 'put'],
      '/api/v1/config/antispam': ['get', 'put'],
      '/api/v1/antispam/whitelist': ['get', 'post'],
      '/api/v1/antispam/whitelist/{id}': ['delete'],
      '/api/v1/antispam/blacklist': ['get', 'post'],
      '/api/v1/antispam/blacklist/{id}': ['delete'],
      '/api/v1/mailboxes': ['get', 'post'],
      '/api/v1/mailboxes/import/preview': ['post'],
      '/api/v1/mailboxes/import': ['post'],
      '/api/v1/mailboxes/export': ['get'],
      '/api/v1/mailboxes/{mailbox}': ['get', 'patch', 'delete'],
      '/api/v1/mailboxes/{mailbox}/password': ['patch'],
      '/api/v1/mailboxes/{mailbox}/overrides': ['get', 'put'],
      '/api/v1/mailboxes/{mailbox}/effective': ['get'],
      '/api/v1/aliases': ['get', 'post'],
      '/api/v1/aliases/{alias}': ['get', 'patch', 'delete'],
      '/api/v1/dkim': ['get', 'post'],
      '/api/v1/dkim/{domain}': ['get', 'delete'],
      '/api/v1/dkim/{domain}/rotate': ['post'],
      '/api/v1/jobs': ['get'],
      '/api/v1/jobs/{id}': ['get', 'delete'],
      '/api/v1/system/reconcile': ['post'],
      '/api/v1/queue': ['get', 'delete'],
      '/api/v1/queue/items': ['get'],
      '/api/v1/queue/items/{queueId}': ['get', 'delete'],
      '/api/v1/queue/flush': ['post'],
      '/api/v1/queue/items/{queueId}/hold': ['post'],
      '/api/v1/queue/items/{queueId}/release': ['post'],
      '/api/v1/queue/items/{queueId}/requeue': ['post'],
      '/api/v1/stats': ['get'],
      '/api/v1/stats/mail': ['get'],
      '/api/v1/services': ['get'],
      '/api/v1/services/{name}': ['get'],
      '/api/v1/services/{name}/start': ['post'],
      '/api/v1/services/{name}/stop': ['post'],
      '/api/v1/services/{name}/restart': ['post'],
      '/api/v1/services/{name}/reload': ['post'],
      '/api/v1/system/about': ['get'],
      '/api/v1/audit-log': ['get'],
      '/health': ['get'],
      '/health/live': ['get'],
      '/health/ready': ['get'],
    };
    assert.deepEqual(Object.keys(spec.paths).sort(), Object.keys(expected).sort());
    const PUBLIC = new Set([
      '/api/v1/auth/login',
      '/api/v1/auth/login/2fa',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/auth/oidc/login',
      '/api/v1/auth/oidc/callback',
      '/health',
      '/health/live',
      '/health/ready',
    ]);
    for (const [path, methods] of Object.entries(expected)) {
      assert.deepEqual(Object.keys(spec.paths[path]).sort(), [...methods].sort(), path);
      for (const m of methods) {
        const op = spec.paths[path][m];
        assert.ok(op.tags?.length, `${m} ${path} has a tag`);
        assert.ok(op.summary, `${m} ${path} has a summary`);
        const ok = Object.keys(op.responses).find((s) => s.startsWith('2'));
        const okType = path === '/api/v1/mailboxes/export' ? 'text/csv' : 'application/json';
        assert.ok(ok && op.responses[ok].content?.[okType]?.schema, `${m} ${path} documents its success body`);
        const errors = Object.keys(op.responses).filter((s) => /^[45]/.test(s));
        if (path !== '/health/live') assert.ok(errors.length > 0, `${m} ${path} documents errors`);
        for (const s of errors) {
          const content = op.responses[s].content?.['application/json'];
          assert.ok(content?.schema, `${m} ${path} ${s} has the error schema`);
          assert.ok(content.example ?? content.examples, `${m} ${path} ${s} has an example`);
        }
        if (['post', 'patch', 'put'].includes(m)) assert.ok(op.requestBody?.content?.['application/json']?.schema, `${m} ${path} request schema`);
        if (PUBLIC.has(path)) {
          assert.ok(!op.security?.length, `${m} ${path} is public`);
        } else {
          const schemes = (op.security ?? []).flatMap((s: object) => Object.keys(s)).sort();
          assert.deepEqual(schemes, ['api-key', 'bearer'], `${m} ${path} security`);
          assert.ok(op.responses['401'] && op.responses['403'], `${m} ${path} documents 401/403`);
        }
      }
    }
    assert.ok(spec.components.schemas.ErrorResponseDto.properties.code.enum.includes('UPSTREAM_TIMEOUT'));
    assert.ok(spec.components.schemas.CreateDomainDto.properties.name.example);
  });
});
