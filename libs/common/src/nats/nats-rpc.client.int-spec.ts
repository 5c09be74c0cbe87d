import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ApiErrorCode, CommonError } from '#contracts';
import { NatsRpcClient, RpcReplyError } from './nats-rpc.client.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** Talks to the real NATS server; the responder speaks Nest's reply format like a Nest microservice. */
describe('NatsRpcClient against a real NATS server', () => {
  let client: NatsRpcClient;
  let responder: NatsConnection;
  const base = `test.rpc.${randomUUID()}`;
  const seen: { requestId?: string }[] = [];

  before(async () => {
    client = await NatsRpcClient.connect(NATS_URL, 3000, 'rpc-int-spec');
    responder = await connect({ servers: NATS_URL });
    responder.subscribe(`${base}.*`, {
      queue: 'rpc-int-spec',
      callback: (_err, msg) => {
        const req = msg.json<{ id: string; data: { n?: number } }>();
        seen.push({ requestId: msg.headers?.get('x-request-id') });
        const action = msg.subject.split('.').pop();
        if (action === 'ok') msg.respond(JSON.stringify({ id: req.id, response: { doubled: (req.data.n ?? 0) * 2 }, isDisposed: true }));
        if (action === 'typed') msg.respond(JSON.stringify({ id: req.id, err: { status: 409, code: 'CONFLICT', error: 'Domain exists', detail: 'd' }, isDisposed: true }));
        if (action === 'untyped') msg.respond(JSON.stringify({ id: req.id, err: { status: 'error', message: 'Internal server error' }, isDisposed: true }));
        // 'slow': never answers.
      },
    });
    await responder.flush();
  });
  after(async () => {
    await client.close();
    await responder.close();
  });

  it('returns the response and forwards the request id', async () => {
    assert.deepEqual(await client.send(`${base}.ok`, { n: 21 }, 'req-42'), { doubled: 42 });
    assert.equal(seen.at(-1)?.requestId, 'req-42');
  });

  it('raises a typed service error as RpcReplyError with its payload', async () => {
    await assert.rejects(client.send(`${base}.typed`, {}), (err: unknown) => {
      assert.ok(err instanceof RpcReplyError);
      assert.equal(err.payload.code, 'CONFLICT');
      assert.equal(err.payload.status, 409);
      return true;
    });
  });

  it('turns an untyped service failure into INTERNAL_ERROR without its text', async () => {
    await assert.rejects(client.send(`${base}.untyped`, {}), (err: unknown) => err instanceof CommonError && err.apiCode === ApiErrorCode.INTERNAL_ERROR);
  });

  it('no responder → DEPENDENCY_UNAVAILABLE at once', async () => {
    const started = Date.now();
    await assert.rejects(client.send(`test.rpc.nobody.${randomUUID()}`, {}), (err: unknown) => err instanceof CommonError && err.status === 503);
    assert.ok(Date.now() - started < 2000, 'well before the 3000 ms timeout');
  });

  it('no reply within the timeout → UPSTREAM_TIMEOUT', async () => {
    const started = Date.now();
    await assert.rejects(client.send(`${base}.slow`, {}, undefined, 300), (err: unknown) => err instanceof CommonError && err.status === 504 && /300 ms/.test(err.detail));
    assert.ok(Date.now() - started >= 290);
  });
});
