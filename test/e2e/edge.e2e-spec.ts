import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { expectError } from '../helpers/api-client.js';
import { TestStack, type ExtraGateway } from '../helpers/stack.js';

/** Opens a raw connection, writes `data`, and resolves when the server closes it (or after `waitMs`). */
async function rawRequest(url: string, data: string, waitMs: number): Promise<{ closedAfterMs: number | null; received: string; socket: Socket }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (b: Buffer) => (received += b.toString()));
  socket.on('error', () => {});
  const started = Date.now();
  socket.write(data);
  const closedAfterMs = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
  return { closedAfterMs, received, socket };
}

const STALLED_LOGIN = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
/** pino's levels. */
const INFO = 30;
const ERROR = 50;

function logLines(gw: ExtraGateway): { level: number; msg: string; raw: string }[] {
  return gw.proc.output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((raw) => {
      const j = JSON.parse(raw) as { level: number; msg?: string; err?: { message?: string } };
      return { level: j.level, msg: `${j.msg ?? ''} ${j.err?.message ?? ''}`, raw };
    });
}

describe('edge: readiness, security headers, trusted proxies, slow clients (e2e)', () => {
  let stack: TestStack;
  /** Behind a proxy at 127.0.0.1, HSTS on, short body timeout, info logs, 3 logins a minute per IP. */
  let edge: ExtraGateway;
  /** The same limits, no trusted proxy. */
  let direct: ExtraGateway;
  let restricted: string;

  before(async () => {
    stack = await TestStack.start('edge');
    edge = await stack.startGateway('gateway-edge', {
      TRUST_PROXY: '127.0.0.1',
      HSTS: 'true',
      HTTP_BODY_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
      LOGIN_RATE_LIMIT_PER_MIN: '3',
    });
    direct = await stack.startGateway('gateway-direct', { TRUST_PROXY: '', LOGIN_RATE_LIMIT_PER_MIN: '3' });
    const key = await stack
      .api(stack.admin.apiKey)
      .post('/api/v1/api-keys', { name: 'documentation net only', scopes: ['domains:write'], ip_allowlist: ['203.0.113.0/24'] });
    assert.equal(key.status, 201, key.text);
    restricted = key.body.key;
  });
  after(async () => {
    await stack?.stop();
  });

  it('sends security headers; HSTS only where HSTS=true', async () => {
    const plain = await stack.api().get('/health/live');
    const csp = plain.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(plain.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(plain.headers.get('strict-transport-security'), null, 'no HSTS unless configured');
    const hsts = await edge.api().get('/health/live');
    assert.equal(hsts.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains');
    // Errors carry them too.
    assert.match((await stack.api().get('/api/v1/nowhere')).headers.get('content-security-policy') ?? '', /default-src/);
  });

  it('Swagger UI loads under the CSP: no inline script, every asset from the gateway itself', async () => {
    const page = await fetch(`${stack.baseUrl}/api/docs`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(html, /swagger-ui/);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 2);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /src=/, 'every script is a file (script-src has no unsafe-inline)');
      assert.equal(body.trim(), '');
    }
    if (/<style>/.test(html)) assert.match(csp, /style-src [^;]*'unsafe-inline'/);
    const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]);
    assert.ok(assets.some((a) => a.endsWith('swagger-ui-init.js')));
    for (const asset of assets) {
      const url = new URL(asset, `${stack.baseUrl}/api/docs/`);
      assert.equal(url.origin, stack.baseUrl, `${asset} is same-origin`);
      assert.equal((await fetch(url)).status, 200, `${asset} loads`);
    }
  });

  it('behind TRUST_PROXY the X-Forwarded-For address is what a key’s IP allowlist sees; without it the header is ignored', async () => {
    const via = (gw: { api: (c?: string) => ReturnType<TestStack['api']> }, xff?: string) =>
      gw.api(restricted).get('/api/v1/domains', xff ? { 'X-Forwarded-For': xff } : {});
    assert.equal((await via(edge, '203.0.113.9')).status, 200);
    expectError(await via(edge, '198.51.100.7'), 403, 'IP_RESTRICTED');
    expectError(await via(edge), 403, 'IP_RESTRICTED');
    // A client cannot claim an address: the direct gateway sees 127.0.0.1 whatever the header says.
    expectError(await via(direct, '203.0.113.9'), 403, 'IP_RESTRICTED');
    expectError(await via(stack, '203.0.113.9'), 403, 'IP_RESTRICTED');
  });

  it('the per-IP login rate limit counts the forwarded address behind TRUST_PROXY, the peer without it', async () => {
    const login = (gw: ExtraGateway, xff: string, n: number) =>
      gw.api().post('/api/v1/auth/login', { email: `nobody${n}@mailplane.test`, password: 'Wrong-password-42' }, { 'X-Forwarded-For': xff });
    for (let i = 0; i < 3; i++) assert.equal((await login(edge, '203.0.113.20', i)).status, 401);
    expectError(await login(edge, '203.0.113.20', 3), 429, 'RATE_LIMITED');
    assert.equal((await login(edge, '203.0.113.21', 4)).status, 401, 'another client behind the proxy has its own budget');
    // Direct: every attempt claims a new address, yet all count against 127.0.0.1.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(direct, `203.0.113.${30 + i}`, 10 + i)).status);
    assert.ok(statuses.includes(429), `rate limited whatever X-Forwarded-For says: ${statuses.join(',')}`);
  });

  it('a client that announces a body and never sends it is cut after HTTP_BODY_TIMEOUT_MS with a 408, logged at info', async () => {
    const cut = await rawRequest(edge.url, STALLED_LOGIN, 5000);
    assert.ok(cut.closedAfterMs !== null, 'the gateway closed the connection');
    assert.ok(cut.closedAfterMs >= 900 && cut.closedAfterMs < 3500, `closed after ${cut.closedAfterMs} ms (timeout 1000 ms)`);
    assert.match(cut.received, /^HTTP\/1\.1 408 /);
    // The gateway's logger writes asynchronously: give the line a moment to arrive.
    let line: ReturnType<typeof logLines>[number] | undefined;
    for (let i = 0; i < 40 && !line; i++) {
      line = logLines(edge).find((l) => /body did not arrive within 1000 ms/.test(l.msg));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(line, 'logged');
    assert.equal(line.level, INFO);
    // The default (10 s) leaves the same client alone for now.
    const waiting = await rawRequest(stack.baseUrl, STALLED_LOGIN, 1500);
    assert.equal(waiting.closedAfterMs, null, 'still open under the default body timeout');
    waiting.socket.destroy();
  });

  it('a client that closes mid-request is logged at info, not as an error', async () => {
    const before = logLines(edge).length;
    const { hostname, port } = new URL(edge.url);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.on('error', () => {});
    socket.write(`${STALLED_LOGIN}{"email":"half`);
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();
    let fresh: ReturnType<typeof logLines> = [];
    for (let i = 0; i < 40 && !fresh.some((l) => /client closed the connection/.test(l.msg)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      fresh = logLines(edge).slice(before);
    }
    const abort = fresh.find((l) => /client closed the connection/.test(l.msg));
    assert.ok(abort, `the abort is logged:\n${fresh.map((l) => l.raw).join('\n')}`);
    assert.equal(abort.level, INFO);
    assert.deepEqual(
      fresh.filter((l) => l.level >= ERROR).map((l) => l.raw),
      [],
      'no error logged',
    );
    assert.equal(edge.proc.running, true);
  });

  it('/health/ready stays 200 while a NATS service is down; /health reports it', async () => {
    await stack.domainService.stop();
    try {
      const ready = await stack.api().get('/health/ready');
      assert.equal(ready.status, 200, ready.text);
      assert.deepEqual(Object.keys(ready.body.details).sort(), ['database', 'nats', 'redis']);
      const deep = await stack.api().get('/health');
      assert.equal(deep.status, 503);
      assert.equal(deep.body.error['domain-service'].status, 'down');
    } finally {
      await stack.startDomainService();
    }
  });
});
