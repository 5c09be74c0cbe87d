import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import { expectError } from '../helpers/api-client.js';
import { freePort } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

interface Person {
  email: string;
  email_verified: boolean;
}

/**
 * A real OIDC provider (oidc-provider) in the test process. Its login and consent page is replaced by
 * one that signs in whoever `nextSubject` names at once, so the test drives the whole redirect dance
 * with plain HTTP requests.
 */
async function startIdp(redirectUri: string, people: Record<string, Person>) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let nextSubject = '';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'mailplane',
        client_secret: 'idp-client-secret',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    cookies: { keys: ['test-cookie-key'] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub, ...people[sub] }) }),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  });
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: nextSubject, clientId: String(details.params.client_id) });
        grant.addOIDCScope('openid email');
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: nextSubject }, consent: { grantId } }, { mergeWithLastSubmission: false });
      })().catch((err: Error) => {
        res.statusCode = 500;
        res.end(err.message);
      });
      return;
    }
    provider.callback()(req, res);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    issuer,
    signInAs: (sub: string) => (nextSubject = sub),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Follows the provider's redirects (with its cookies) until it sends the browser back to `redirectUri`. */
async function throughProvider(authorizationUrl: string, redirectUri: string): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = authorizationUrl;
  for (let i = 0; i < 10; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider stopped at ${url} with ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const next = new URL(location, url);
    if (next.toString().startsWith(redirectUri)) return next;
    url = next.toString();
  }
  throw new Error('too many redirects at the provider');
}

describe('OIDC login (e2e, against a real local provider)', () => {
  let stack: TestStack;
  let idp: Awaited<ReturnType<typeof startIdp>>;
  let redirectUri: string;
  const people: Record<string, Person> = {
    'sub-alice': { email: 'alice@corp.example', email_verified: true },
    'sub-unverified': { email: 'bob@corp.example', email_verified: false },
    'sub-stranger': { email: 'nobody@corp.example', email_verified: true },
    'sub-elsewhere': { email: 'carol@other.example', email_verified: true },
  };

  /** A login through the provider as `sub`; the gateway's answer to the callback. */
  async function loginAs(sub: string) {
    const start = await stack.api().get('/api/v1/auth/oidc/login?redirect=false');
    assert.equal(start.status, 200, start.text);
    idp.signInAs(sub);
    const back = await throughProvider(start.body.authorization_url, redirectUri);
    return { back, res: await stack.api().get(`/api/v1/auth/oidc/callback${back.search}`) };
  }

  before(async () => {
    stack = await TestStack.start('oidc');
    redirectUri = `${stack.baseUrl}/api/v1/auth/oidc/callback`;
    idp = await startIdp(redirectUri, people);
    const admin = stack.api(stack.admin.apiKey);
    for (const [email, password] of [
      ['alice@corp.example', 'Alice-Passw0rd-1'],
      ['bob@corp.example', 'Bob-Passw0rd-12'],
      ['carol@other.example', 'Carol-Passw0rd-1'],
    ]) {
      const t = await admin.post('/api/v1/tenants', { name: email.split('@')[0] });
      assert.equal(t.status, 201, t.text);
      const a = await admin.post('/api/v1/accounts', { email, password, role: 'tenant_admin', tenant: t.body.id });
      assert.equal(a.status, 201, a.text);
    }
  });
  after(async () => {
    await idp?.close();
    await stack?.stop();
  });

  it('is off until a platform admin configures it; the config is platform-only and the secret never comes back', async () => {
    expectError(await stack.api().get('/api/v1/auth/oidc/login?redirect=false'), 404, 'NOT_FOUND');
    const body = {
      enabled: true,
      issuer: idp.issuer,
      client_id: 'mailplane',
      client_secret: 'idp-client-secret',
      redirect_uri: redirectUri,
      allowed_domains: ['corp.example'],
    };
    const tenant = await stack.tenantAdmin('oidc-tenant');
    expectError(await stack.api(tenant.token).request('PUT', '/api/v1/auth/oidc/config', body), 403, 'FORBIDDEN');
    expectError(
      await stack.api(stack.admin.apiKey).request('PUT', '/api/v1/auth/oidc/config', { ...body, allowed_domains: ['not a domain'] }),
      400,
      'VALIDATION_FAILED',
    );
    const put = await stack.api(stack.admin.apiKey).request('PUT', '/api/v1/auth/oidc/config', body);
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.client_secret_set, true);
    const got = await stack.api(stack.admin.apiKey).get('/api/v1/auth/oidc/config');
    assert.ok(!JSON.stringify(got.body).includes('idp-client-secret') && !JSON.stringify(put.body).includes('idp-client-secret'));
    const [row] = await stack.db.query<{ client_secret_enc: string }>(`SELECT client_secret_enc FROM oidc_config`);
    assert.ok(!row.client_secret_enc.includes('idp-client-secret'), 'sealed at rest');
  });

  it('a verified email of an allowed domain logs in to its account and links the subject; the tokens work', async () => {
    const { res } = await loginAs('sub-alice');
    assert.equal(res.status, 200, res.text);
    const me = await stack.api(res.body.access_token).get('/api/v1/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, 'alice@corp.example');
    assert.equal((await stack.db.query(`SELECT 1 FROM account_oidc_links WHERE subject = 'sub-alice'`)).length, 1);
    assert.equal((await stack.api().post('/api/v1/auth/refresh', { refresh_token: res.body.refresh_token })).status, 200);
  });

  it('refuses a tampered state, a replayed callback and a foreign nonce', async () => {
    const { back } = await loginAs('sub-alice').then(async (first) => first);
    // The callback above was used once by loginAs: the same one again is a replay.
    expectError(await stack.api().get(`/api/v1/auth/oidc/callback${back.search}`), 401, 'UNAUTHORIZED');
    const start = await stack.api().get('/api/v1/auth/oidc/login?redirect=false');
    idp.signInAs('sub-alice');
    const fresh = await throughProvider(start.body.authorization_url, redirectUri);
    const tampered = new URL(fresh);
    tampered.searchParams.set('state', 'forged-state');
    const forged = expectError(await stack.api().get(`/api/v1/auth/oidc/callback${tampered.search}`), 401, 'UNAUTHORIZED');
    assert.match(forged.detail, /unknown, expired or already completed/);
    // Another login's state with this login's code: the code was issued for another nonce and verifier.
    const other = await stack.api().get('/api/v1/auth/oidc/login?redirect=false');
    const otherState = new URL(other.body.authorization_url).searchParams.get('state')!;
    const swapped = new URL(fresh);
    swapped.searchParams.set('state', otherState);
    const refused = expectError(await stack.api().get(`/api/v1/auth/oidc/callback${swapped.search}`), 401, 'UNAUTHORIZED');
    assert.match(refused.detail, /not accepted/);
  });

  it('refuses an unverified email, an unknown email and a domain that is not allowed', async () => {
    for (const sub of ['sub-unverified', 'sub-stranger', 'sub-elsewhere']) {
      const { res } = await loginAs(sub);
      const err = expectError(res, 401, 'UNAUTHORIZED');
      assert.match(err.detail, /linked|verified email/);
      assert.equal((await stack.db.query(`SELECT 1 FROM account_oidc_links WHERE subject = $1`, [sub])).length, 0);
    }
  });
});
