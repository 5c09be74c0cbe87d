import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Provider from 'oidc-provider';
import { expectError, type ApiResponse } from '../helpers/api-client.js';
import { freePort } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';

const CLIENT_ID = 'mailplane';
const CLIENT_SECRET = 'oidc-test-client-secret-0123456789';

/** What the test IdP says about each subject (the "user database" behind it). */
const USERS = new Map<string, { email: string; email_verified: boolean }>();

/**
 * OIDC login against a real identity provider (oidc-provider) run inside this test process: the
 * gateway discovers it, sends the browser there with PKCE/state/nonce and exchanges the code.
 * The "browser" is fetch with manual redirects and a cookie jar; the IdP's login/consent page is
 * replaced by a route that logs in whichever subject the test chose.
 */
describe('OIDC login (e2e)', () => {
  let stack: TestStack;
  let idp: Server;
  let provider: Provider;
  let issuer: string;
  let callbackUrl: string;
  /** Who the interaction route logs in next. */
  let nextSubject = '';

  const platform = () => stack.api(stack.admin.apiKey);
  const putConfig = (body: Record<string, unknown>, api = platform()) => api.request('PUT', '/api/v1/auth/oidc/config', body);
  const baseConfig = () => ({
    issuer,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uri: callbackUrl,
    allowed_domains: ['corp.test'],
    enabled: true,
  });

  /**
   * Starts a login as `subject` and walks the browser through the IdP; returns the callback URL
   * the IdP sends the browser back to (not yet followed).
   */
  async function throughIdp(subject: string): Promise<URL> {
    nextSubject = subject;
    const start = await stack.api().get('/api/v1/auth/oidc/login?redirect=false');
    assert.equal(start.status, 200, start.text);
    const jar = new Map<string, string>();
    let url = new URL(start.body.authorization_url);
    for (let hop = 0; hop < 10; hop++) {
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair.indexOf('=');
        jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      const location = res.headers.get('location');
      assert.ok(location, `the IdP answered ${res.status} without a redirect at ${url.href}: ${await res.text()}`);
      url = new URL(location, url);
      if (url.href.startsWith(callbackUrl)) return url;
    }
    throw new Error('too many redirects at the IdP');
  }

  const callback = (url: URL): Promise<ApiResponse> => stack.api().get(`/api/v1/auth/oidc/callback${url.search}`);

  before(async () => {
    const idpPort = await freePort();
    issuer = `http://127.0.0.1:${idpPort}`;
    stack = await TestStack.start('oidc');
    callbackUrl = `${stack.baseUrl}/api/v1/auth/oidc/callback`;
    provider = new Provider(issuer, {
      clients: [
        { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [callbackUrl], grant_types: ['authorization_code'], response_types: ['code'] },
      ],
      pkce: { required: () => true },
      cookies: { keys: ['oidc-e2e-cookie-key'] },
      findAccount: (_ctx: unknown, sub: string) => {
        const user = USERS.get(sub);
        return user && { accountId: sub, claims: () => ({ sub, ...user }) };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    });
    const handler = provider.callback();
    idp = createServer((req, res) => {
      if (!req.url?.startsWith('/interaction/')) return handler(req, res);
      // The IdP's own login and consent, done: the chosen subject, all asked scopes granted.
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        const grant = new provider.Grant({ accountId: nextSubject, clientId: String(details.params.client_id) });
        grant.addOIDCScope('openid email');
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { login: { accountId: nextSubject }, consent: { grantId } }, { mergeWithLastSubmission: false });
      })().catch((err: Error) => {
        res.statusCode = 500;
        res.end(err.stack);
      });
    });
    await new Promise<void>((resolve) => idp.listen(idpPort, '127.0.0.1', resolve));
    assert.equal((idp.address() as AddressInfo).port, idpPort);
  });
  after(async () => {
    idp?.closeAllConnections();
    await new Promise((resolve) => idp?.close(resolve));
    await stack?.stop();
  });

  it('is 404 until configured', async () => {
    expectError(await stack.api().get('/api/v1/auth/oidc/login'), 404, 'NOT_FOUND');
    expectError(await stack.api().get('/api/v1/auth/oidc/callback?code=x&state=y'), 404, 'NOT_FOUND');
    const cfg = await platform().get('/api/v1/auth/oidc/config');
    assert.equal(cfg.status, 200, cfg.text);
    assert.deepEqual(
      { ...cfg.body, updated_at: undefined },
      {
        issuer: null,
        client_id: null,
        client_secret_set: false,
        redirect_uri: null,
        allowed_domains: [],
        enabled: false,
        updated_at: undefined,
      },
    );
  });

  it('the config API is platform-only, validates, and never returns the client secret', async () => {
    const tenant = await stack.tenantAdmin('oidc-tenant');
    expectError(await putConfig(baseConfig(), stack.api(tenant.token)), 403, 'FORBIDDEN');
    expectError(await stack.api(tenant.token).get('/api/v1/auth/oidc/config'), 403, 'FORBIDDEN');
    expectError(await stack.api().get('/api/v1/auth/oidc/config'), 401, 'UNAUTHORIZED');
    // Bad input: 400 and nothing stored.
    const noSecret = expectError(await putConfig({ ...baseConfig(), client_secret: undefined }), 400, 'VALIDATION_FAILED');
    assert.ok(noSecret.fields?.some((f) => f.field === 'client_secret'));
    const insecure = expectError(await putConfig({ ...baseConfig(), issuer: 'http://idp.example.com' }), 400, 'VALIDATION_FAILED');
    assert.ok(insecure.fields?.some((f) => f.field === 'issuer'));
    expectError(await putConfig({ ...baseConfig(), allowed_domains: ['not a domain'] }), 400, 'VALIDATION_FAILED');
    expectError(await putConfig({ ...baseConfig(), extra: 1 }), 400, 'VALIDATION_FAILED');
    assert.equal((await stack.db.query(`SELECT 1 FROM oidc_config`)).length, 0);

    const put = await putConfig(baseConfig());
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.client_secret_set, true);
    assert.equal(put.body.issuer, issuer);
    assert.deepEqual(put.body.allowed_domains, ['corp.test']);
    assert.ok(!put.text.includes(CLIENT_SECRET) && !('client_secret' in put.body));
    const get = await platform().get('/api/v1/auth/oidc/config');
    assert.deepEqual(get.body, put.body);
    assert.ok(!get.text.includes(CLIENT_SECRET));
    const [row] = await stack.db.query<{ client_secret_enc: string }>(`SELECT client_secret_enc FROM oidc_config`);
    assert.match(row.client_secret_enc, /^v1\./);
    assert.ok(!row.client_secret_enc.includes(CLIENT_SECRET));
    // Omitted later: the stored secret stays.
    const keep = await putConfig({ ...baseConfig(), client_secret: undefined });
    assert.equal(keep.status, 200, keep.text);
    const [after] = await stack.db.query<{ client_secret_enc: string }>(`SELECT client_secret_enc FROM oidc_config`);
    assert.equal(after.client_secret_enc, row.client_secret_enc);
    // The changes are audited, the secret is not in the log.
    let audit: { total: number; leaked: number } = { total: 0, leaked: 0 };
    for (let i = 0; i < 50 && audit.total < 2; i++) {
      [audit] = await stack.db.query<{ total: number; leaked: number }>(
        `SELECT count(*)::int AS total, (count(*) FILTER (WHERE a::text LIKE $1))::int AS leaked FROM audit_log a WHERE path LIKE '%/auth/oidc/config' AND status = 200`,
        [`%${CLIENT_SECRET}%`],
      );
      if (audit.total < 2) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(audit, { total: 2, leaked: 0 });
  });

  it('login redirects to the IdP with PKCE, state and nonce', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const to = new URL(res.headers.get('location')!);
    assert.equal(to.origin, issuer);
    assert.equal(to.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(to.searchParams.get('redirect_uri'), callbackUrl);
    assert.equal(to.searchParams.get('code_challenge_method'), 'S256');
    for (const p of ['state', 'nonce', 'code_challenge']) assert.ok(to.searchParams.get(p), p);
  });

  it('a verified email of an allowed domain logs into its account with the password login’s token pair, and links it', async () => {
    await stack.adminCliWithInput(
      'Correct-Horse-9-battery\n',
      'create-admin',
      '--email',
      'alice@corp.test',
      '--role',
      'tenant_admin',
      '--tenant',
      'corp',
      '--password-stdin',
    );
    USERS.set('alice-sub', { email: 'Alice@corp.test', email_verified: true });
    const back = await throughIdp('alice-sub');
    const res = await callback(back);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type']);
    const me = await stack.api(res.body.access_token).get('/api/v1/auth/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.email, 'alice@corp.test');
    const links = await stack.db.query<{ issuer: string; subject: string }>(
      `SELECT l.issuer, l.subject FROM account_oidc_links l JOIN accounts a ON a.id = l.account_id WHERE a.email = 'alice@corp.test'`,
    );
    assert.deepEqual(links, [{ issuer, subject: 'alice-sub' }]);
    // The refresh token works like any other.
    assert.equal((await stack.api().post('/api/v1/auth/refresh', { refresh_token: res.body.refresh_token })).status, 200);

    // Replayed callback: the state was spent.
    const replay = expectError(await callback(back), 401, 'UNAUTHORIZED');
    assert.match(replay.error, /state/i);

    // Once linked, the subject is enough: the IdP may change the email or stop vouching for it.
    USERS.set('alice-sub', { email: 'alice.renamed@elsewhere.test', email_verified: false });
    const again = await callback(await throughIdp('alice-sub'));
    assert.equal(again.status, 200, again.text);
  });

  it('a tampered or missing state is refused; a forged code spends its state', async () => {
    USERS.set('alice-sub', { email: 'alice@corp.test', email_verified: true });
    const back = await throughIdp('alice-sub');
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state')}x`);
    assert.equal(expectError(await callback(tampered), 401, 'UNAUTHORIZED').error, 'OIDC state invalid');
    const noState = new URL(back);
    noState.searchParams.delete('state');
    expectError(await callback(noState), 401, 'UNAUTHORIZED');
    // A forged code under the real state: the exchange fails (and the state is spent).
    const forged = new URL(back);
    forged.searchParams.set('code', 'forged-code');
    const bad = expectError(await callback(forged), 401, 'UNAUTHORIZED');
    assert.match(bad.error, /OIDC login failed/);
    expectError(await callback(back), 401, 'UNAUTHORIZED');
  });

  it('an unlinked subject without a verified email is refused', async () => {
    USERS.set('bob-sub', { email: 'alice@corp.test', email_verified: false });
    const res = expectError(await callback(await throughIdp('bob-sub')), 401, 'UNAUTHORIZED');
    assert.equal(res.error, 'OIDC identity not linked');
    assert.equal((await stack.db.query(`SELECT 1 FROM account_oidc_links WHERE subject = 'bob-sub'`)).length, 0);
  });

  it('an email of a domain not allowed, or of no account, is refused', async () => {
    await stack.adminCliWithInput(
      'Correct-Horse-9-battery\n',
      'create-admin',
      '--email',
      'carol@other.test',
      '--role',
      'tenant_admin',
      '--tenant',
      'other',
      '--password-stdin',
    );
    USERS.set('carol-sub', { email: 'carol@other.test', email_verified: true });
    const res = expectError(await callback(await throughIdp('carol-sub')), 401, 'UNAUTHORIZED');
    assert.equal(res.error, 'OIDC email domain not allowed');
    USERS.set('nobody-sub', { email: 'nobody@corp.test', email_verified: true });
    assert.equal(expectError(await callback(await throughIdp('nobody-sub')), 401, 'UNAUTHORIZED').error, 'OIDC identity not linked');
    // Another IdP user with alice's verified email cannot take over her already-linked account.
    USERS.set('mallory-sub', { email: 'alice@corp.test', email_verified: true });
    assert.equal(expectError(await callback(await throughIdp('mallory-sub')), 401, 'UNAUTHORIZED').error, 'OIDC identity not linked');
    assert.equal((await stack.db.query(`SELECT 1 FROM account_oidc_links WHERE subject <> 'alice-sub'`)).length, 0);
  });

  it('a disabled account or a suspended tenant gets no tokens', async () => {
    await stack.db.query(`UPDATE accounts SET active = false WHERE email = 'alice@corp.test'`);
    assert.equal(expectError(await callback(await throughIdp('alice-sub')), 401, 'UNAUTHORIZED').error, 'Account disabled');
    await stack.db.query(`UPDATE accounts SET active = true WHERE email = 'alice@corp.test'`);
    await stack.db.query(`UPDATE tenants SET active = false WHERE id = (SELECT tenant_id FROM accounts WHERE email = 'alice@corp.test')`);
    assert.equal(expectError(await callback(await throughIdp('alice-sub')), 401, 'UNAUTHORIZED').error, 'Account disabled');
    await stack.db.query(`UPDATE tenants SET active = true WHERE id = (SELECT tenant_id FROM accounts WHERE email = 'alice@corp.test')`);
  });

  it('a login started on one gateway replica completes on another (the state lives in Redis)', async () => {
    const other = await stack.startGateway('oidc-b');
    const back = await throughIdp('alice-sub');
    const res = await other.api().get(`/api/v1/auth/oidc/callback${back.search}`);
    assert.equal(res.status, 200, res.text);
    // ...and only once, whichever replica is asked.
    expectError(await callback(back), 401, 'UNAUTHORIZED');
  });

  it('an account with TOTP gets tokens: the IdP did its own MFA', async () => {
    await stack.db.query(`UPDATE accounts SET totp_secret_enc = 'v1.x.y.z', totp_enabled_at = now() WHERE email = 'alice@corp.test'`);
    const password = await stack.api().post('/api/v1/auth/login', { email: 'alice@corp.test', password: 'Correct-Horse-9-battery' });
    assert.equal(password.body.mfa_required, true, password.text);
    const res = await callback(await throughIdp('alice-sub'));
    assert.equal(res.status, 200, res.text);
    assert.equal((await stack.api(res.body.access_token).get('/api/v1/auth/me')).status, 200);
  });

  it('disabled: login and callback are 404', async () => {
    assert.equal((await putConfig({ ...baseConfig(), client_secret: undefined, enabled: false })).status, 200);
    expectError(await stack.api().get('/api/v1/auth/oidc/login?redirect=false'), 404, 'NOT_FOUND');
  });
});
