import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { SignJWT } from 'jose';
import { BUS_ALG, CALLER_TOKEN_HEADER, CallerTokenSigner, generateBusKeyPair, importBusSigningKey } from '#common';
import { DomainSubjects, EventSubjects, nodeSubject, NodeSubjects, type BusApp, type CallerContext } from '#contracts';
import { TestStack } from '../helpers/stack.js';

interface NestReply {
  response?: { data?: { name: string }[] };
  err?: { status: number; code: string; detail: string };
}

/**
 * The bus is authenticated: only the apps' own users connect, each only to the subjects the bus
 * catalog gives it, and a service runs a request only with a caller context signed by a sender the
 * catalog allows on that subject. Driven against a real stack: its nats-server runs the generated
 * config, domain-service is the real process.
 */
describe('authenticated bus (e2e)', () => {
  let stack: TestStack;
  let gw: NatsConnection;
  let tenantId: string;
  const platform: CallerContext = { tenant_id: null, domain_allowlist: null, home_tenant_id: null, request_id: 'bus-auth' };
  let tenantCtx: CallerContext;

  const signerOf = async (app: BusApp, privateKey = stack.busKeys.get(app)!.privateKey, ttl = 30) =>
    new CallerTokenSigner(app, await importBusSigningKey(privateKey), ttl);

  /** A raw request in Nest's wire format, as the gateway's bus user, with whatever token the test chose. */
  const call = async (subject: string, data: Record<string, unknown>, token?: string): Promise<NestReply> => {
    const h = natsHeaders();
    if (token) h.set(CALLER_TOKEN_HEADER, token);
    const msg = await gw.request(subject, JSON.stringify({ pattern: subject, data, id: randomUUID() }), { timeout: 5000, headers: h });
    return msg.json<NestReply>();
  };
  const list = (ctx: CallerContext, token?: string) => call(DomainSubjects.List, { ctx, query: {} }, token);

  const assertRefused = (reply: NestReply, detail: RegExp) => {
    assert.equal(reply.response, undefined, 'no data for a refused caller');
    assert.equal(reply.err?.status, 403, JSON.stringify(reply));
    assert.equal(reply.err?.code, 'FORBIDDEN');
    assert.match(reply.err!.detail, detail);
  };

  before(async () => {
    stack = await TestStack.start('bus_auth');
    const t = await stack.tenantAdmin('bus-auth-t');
    tenantId = t.tenantId;
    tenantCtx = { tenant_id: tenantId, domain_allowlist: null, home_tenant_id: tenantId, request_id: 'bus-auth-t' };
    assert.equal((await stack.api(t.token).post('/api/v1/domains', { name: 'bus-auth-t.example' })).status, 201);
    assert.equal((await stack.api(stack.admin.apiKey).post('/api/v1/domains', { name: 'bus-auth-platform.example' })).status, 201);
    gw = await stack.nats.connect('gateway');
  });
  after(async () => {
    await gw?.close();
    await stack?.stop();
  });

  describe('connections and subject permissions', () => {
    it('refuses a client without credentials and one with a wrong password', async () => {
      await assert.rejects(connect({ servers: stack.nats.url, reconnect: false }), /authorization/i);
      await assert.rejects(connect({ servers: stack.nats.url, user: 'gateway', pass: 'not-the-password', reconnect: false }), /authorization/i);
      await assert.rejects(connect({ servers: stack.nats.url, user: 'stats-service', pass: stack.nats.passwords.gateway, reconnect: false }), /authorization/i);
    });

    it('a service user cannot send requests outside the catalog', async () => {
      const stats = await stack.nats.connect('stats-service');
      try {
        // stats-service serves node subjects; it may not ask domain-service anything.
        await assert.rejects(
          stats.request(DomainSubjects.List, JSON.stringify({ pattern: DomainSubjects.List, data: { ctx: platform, query: {} }, id: randomUUID() }), {
            timeout: 2000,
          }),
          (err: Error) => /permission/i.test(`${err.message} ${String(err.cause ?? '')}`),
        );
      } finally {
        await stats.close();
      }
    });

    it('a user cannot publish events that are not its own nor listen where it does not serve', async () => {
      const watcher = await stack.nats.connect('worker');
      const heard: string[] = [];
      watcher.subscribe(EventSubjects.All, { callback: (err, m) => void (err || heard.push(m.subject)) });
      await watcher.flush();
      const mailbox = await stack.nats.connect('mailbox-service');
      const errors: string[] = [];
      void (async () => {
        for await (const s of mailbox.status()) if (s.type === 'error') errors.push(String(s.error));
      })();
      try {
        // mailbox-service publishes no events: a forged "domain deleted" never reaches the worker.
        mailbox.publish(EventSubjects.DomainDeleted, JSON.stringify({ domain_id: randomUUID() }));
        // Nor may it listen in on requests meant for domain-service, or on other apps' replies.
        const sub = mailbox.subscribe(DomainSubjects.Get);
        const inbox = mailbox.subscribe('_INBOX.>');
        await mailbox.flush().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(heard, []);
        assert.ok(
          errors.some((e) => /permissions violation for publish/i.test(e)),
          errors.join('\n'),
        );
        assert.ok(
          errors.some((e) => /permissions violation for subscription/i.test(e) && e.includes(DomainSubjects.Get)),
          errors.join('\n'),
        );
        assert.ok(
          errors.some((e) => /permissions violation for subscription/i.test(e) && e.includes('_INBOX.>')),
          errors.join('\n'),
        );
        sub.unsubscribe();
        inbox.unsubscribe();
      } finally {
        await mailbox.close();
        await watcher.close();
      }
    });
  });

  describe('signed caller context', () => {
    it('a correctly signed context works, and is scoped by its tenant', async () => {
      const all = await list(platform, await (await signerOf('gateway')).sign(DomainSubjects.List, platform));
      assert.equal(all.err, undefined, JSON.stringify(all.err));
      assert.deepEqual(all.response?.data?.map((d) => d.name).sort(), ['bus-auth-platform.example', 'bus-auth-t.example']);
      const own = await list(tenantCtx, await (await signerOf('gateway')).sign(DomainSubjects.List, tenantCtx));
      assert.deepEqual(
        own.response?.data?.map((d) => d.name),
        ['bus-auth-t.example'],
      );
    });

    it('refuses an unsigned context (the old "tenant_id: null means platform admin" hole)', async () => {
      assertRefused(await list(platform), /no signed caller context/);
    });

    it('refuses a context signed with another key under the gateway’s name', async () => {
      const forger = await signerOf('gateway', generateBusKeyPair().privateKey);
      assertRefused(await list(platform, await forger.sign(DomainSubjects.List, platform)), /signature is not valid/);
    });

    it('refuses a tenant’s signed token with the context swapped for a platform one', async () => {
      const token = await (await signerOf('gateway')).sign(DomainSubjects.List, tenantCtx);
      assertRefused(await list(platform, token), /differs from the one that was signed/);
    });

    it('refuses a token replayed on another subject, and one used twice', async () => {
      const signer = await signerOf('gateway');
      const forGet = await signer.sign(DomainSubjects.Get, platform);
      assertRefused(await list(platform, forGet), /signed for another subject/);
      const once = await signer.sign(DomainSubjects.List, platform);
      assert.equal((await list(platform, once)).err, undefined);
      assertRefused(await list(platform, once), /already used once/);
    });

    it('refuses an expired token and one that claims a longer life than accepted', async () => {
      const key = await importBusSigningKey(stack.busKeys.get('gateway')!.privateKey);
      const token = (iat: number, exp: number) =>
        new SignJWT({ ctx: platform })
          .setProtectedHeader({ alg: BUS_ALG, kid: 'gateway' })
          .setIssuer('gateway')
          .setAudience(DomainSubjects.List)
          .setIssuedAt(iat)
          .setExpirationTime(exp)
          .setJti(randomUUID())
          .sign(key);
      const now = Math.floor(Date.now() / 1000);
      assertRefused(await list(platform, await token(now - 120, now - 60)), /expired/);
      assertRefused(await list(platform, await token(now, now + 3600)), /claims a longer life/);
      assertRefused(await list(platform, await token(now - 3000, now + 3600)), /expired/);
    });

    it('refuses a known sender on a subject the catalog does not give it (the worker asking domain-service)', async () => {
      const worker = await signerOf('worker');
      assertRefused(await list(platform, await worker.sign(DomainSubjects.List, platform)), /worker may not send requests on mailplane\.domains\.list/);
    });

    it('guards pings too, and logs every refusal at warn', async () => {
      const ping = nodeSubject('default', NodeSubjects.QueuePing);
      const h = natsHeaders();
      const reply = (await gw.request(ping, JSON.stringify({ pattern: ping, data: {}, id: randomUUID() }), { timeout: 5000, headers: h })).json<NestReply>();
      assertRefused(reply, /no signed caller context/);
      const signed = await (await signerOf('gateway')).sign(ping, null);
      h.set(CALLER_TOKEN_HEADER, signed);
      const ok = (await gw.request(ping, JSON.stringify({ pattern: ping, data: {}, id: randomUUID() }), { timeout: 5000, headers: h })).json<NestReply>();
      assert.equal(ok.err, undefined, JSON.stringify(ok.err));
      const log = stack.domainService.output.join('');
      assert.match(log, /"level":40[^\n]*caller context not accepted/);
      assert.match(log, /BUS_CALLER_UNSIGNED/);
    });
  });
});
