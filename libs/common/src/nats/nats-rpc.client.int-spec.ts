import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import { ApiErrorCode, CommonError, DomainSubjects, type CallerContext } from '#contracts';
import { startNats, type NatsServer } from '../../../../test/helpers/processes.js';
import { generateBusKeyPair, importBusSigningKey, importBusVerifyKeys } from '../bus/bus-keys.js';
import { CALLER_TOKEN_HEADER, CallerTokenSigner, CallerTokenVerifier } from '../bus/caller-token.js';
import { NatsRpcClient, RpcReplyError } from './nats-rpc.client.js';

/**
 * Talks to a real (private, authenticated) NATS server as the gateway's bus user; the responder, as
 * domain-service's, speaks Nest's reply format like a Nest microservice.
 */
describe('NatsRpcClient against a real NATS server', () => {
  let nats: NatsServer;
  let client: NatsRpcClient;
  let responder: NatsConnection;
  const ACTION: Record<string, string> = {
    [DomainSubjects.List]: 'ok',
    [DomainSubjects.Create]: 'typed',
    [DomainSubjects.Get]: 'untyped',
    [DomainSubjects.Update]: 'slow',
  };
  const seen: { requestId?: string; caller?: string }[] = [];
  const ctx: CallerContext = { tenant_id: null, domain_allowlist: null, home_tenant_id: null, request_id: 'req-42' };
  let verifier: CallerTokenVerifier;

  before(async () => {
    nats = await startNats();
    const keys = generateBusKeyPair();
    verifier = new CallerTokenVerifier(await importBusVerifyKeys(`gateway=${keys.publicKey}`), 30);
    client = new NatsRpcClient(await nats.connect('gateway'), new CallerTokenSigner('gateway', await importBusSigningKey(keys.privateKey), 30), 3000);
    responder = await nats.connect('domain-service');
    // Subject by subject: domain-service's bus user may subscribe to exactly the subjects it serves.
    for (const subject of Object.keys(ACTION))
      responder.subscribe(subject, {
        queue: 'rpc-int-spec',
        callback: (err, msg) => {
          if (err) return;
          const req = msg.json<{ id: string; data: { n?: number } }>();
          seen.push({ requestId: msg.headers?.get('x-request-id'), caller: msg.headers?.get(CALLER_TOKEN_HEADER) });
          const action = ACTION[msg.subject];
          if (action === 'ok') msg.respond(JSON.stringify({ id: req.id, response: { doubled: (req.data.n ?? 0) * 2 }, isDisposed: true }));
          if (action === 'typed')
            msg.respond(JSON.stringify({ id: req.id, err: { status: 409, code: 'CONFLICT', error: 'Domain exists', detail: 'd' }, isDisposed: true }));
          if (action === 'untyped') msg.respond(JSON.stringify({ id: req.id, err: { status: 'error', message: 'Internal server error' }, isDisposed: true }));
          // 'slow': never answers.
        },
      });
    await responder.flush();
  });
  after(async () => {
    await client?.close();
    await responder?.close();
    await nats?.stop();
  });

  it('returns the response and forwards the request id', async () => {
    assert.deepEqual(await client.send(DomainSubjects.List, { n: 21, ctx }, 'req-42'), { doubled: 42 });
    assert.equal(seen.at(-1)?.requestId, 'req-42');
  });

  it('signs the caller context for the subject it is sent on', async () => {
    await client.send(DomainSubjects.List, { ctx });
    const token = seen.at(-1)?.caller;
    assert.deepEqual(await verifier.verify(token, DomainSubjects.List, ctx).then((v) => v.issuer), 'gateway');
  });

  it('raises a typed service error as RpcReplyError with its payload', async () => {
    await assert.rejects(client.send(DomainSubjects.Create, {}), (err: unknown) => {
      assert.ok(err instanceof RpcReplyError);
      assert.equal(err.payload.code, 'CONFLICT');
      assert.equal(err.payload.status, 409);
      return true;
    });
  });

  it('turns an untyped service failure into INTERNAL_ERROR without its text', async () => {
    await assert.rejects(client.send(DomainSubjects.Get, {}), (err: unknown) => err instanceof CommonError && err.apiCode === ApiErrorCode.INTERNAL_ERROR);
  });

  it('no responder → DEPENDENCY_UNAVAILABLE at once', async () => {
    const started = Date.now();
    await assert.rejects(client.send(DomainSubjects.Delete, {}), (err: unknown) => err instanceof CommonError && err.status === 503);
    assert.ok(Date.now() - started < 2000, 'well before the 3000 ms timeout');
  });

  it('no reply within the timeout → UPSTREAM_TIMEOUT', async () => {
    const started = Date.now();
    await assert.rejects(
      client.send(DomainSubjects.Update, {}, undefined, 300),
      (err: unknown) => err instanceof CommonError && err.status === 504 && /300 ms/.test(err.detail),
    );
    assert.ok(Date.now() - started >= 290);
  });
});
