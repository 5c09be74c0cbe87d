import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, NoRespondersError, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { CommonError, CommonErrorCode, isRpcErrorPayload, type BusApp, type CallerContext, type RpcErrorPayload } from '#contracts';
import type { AppConfig } from '../config/config.schema.js';
import { callerTokenSigner } from '../bus/bus-auth.js';
import { CALLER_TOKEN_HEADER, type CallerTokenSigner } from '../bus/caller-token.js';
import { connectBus } from './bus-connection.js';

/** An error reply from a service, carried to the HTTP edge unchanged. */
export class RpcReplyError extends Error {
  constructor(readonly payload: RpcErrorPayload) {
    super(payload.error);
  }
}

interface NestReply {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/**
 * Request/reply to Nest NATS microservices over one shared connection. Nest's own ClientProxy has
 * no timeout and opens a reply subscription per request; this speaks the same wire format
 * (`{pattern, data, id}` in, `{response | err, isDisposed}` out) through `nc.request`, which
 * multiplexes replies on one inbox and reports "no responders" at once. Every request carries the
 * payload's caller context signed by this app (CALLER_TOKEN_HEADER), which the service verifies.
 */
export class NatsRpcClient {
  /** False between a disconnect and the reconnect: requests fail at once instead of queueing. */
  private connected = true;

  constructor(
    readonly connection: NatsConnection,
    private readonly signer: CallerTokenSigner,
    private readonly timeoutMs: number,
  ) {
    void this.watchStatus();
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.connection.status()) {
      if (s.type === 'disconnect') this.connected = false;
      else if (s.type === 'reconnect') this.connected = true;
    }
  }

  /** Connects as `app` (its bus user) and signs with its BUS_SIGNING_KEY. */
  static async connect(config: AppConfig, app: BusApp): Promise<NatsRpcClient> {
    const signer = await callerTokenSigner(config, app);
    return new NatsRpcClient(await connectBus(config, app, 'rpc'), signer, config.NATS_TIMEOUT_MS);
  }

  get isConnected(): boolean {
    return this.connected && !this.connection.isClosed();
  }

  async send<T>(subject: string, data: unknown, requestId?: string, timeoutMs = this.timeoutMs): Promise<T> {
    if (!this.isConnected) throw busUnavailable();
    const payload = JSON.stringify({ pattern: subject, data, id: randomUUID() });
    const ctx = (data as { ctx?: CallerContext } | null | undefined)?.ctx ?? null;
    const h = natsHeaders();
    h.set(CALLER_TOKEN_HEADER, await this.signer.sign(subject, ctx));
    if (requestId) h.set('x-request-id', requestId);
    let reply: NestReply;
    try {
      const msg = await this.connection.request(subject, payload, { timeout: timeoutMs, headers: h });
      reply = msg.json<NestReply>();
    } catch (err) {
      throw mapTransportError(err, subject, timeoutMs);
    }
    if (reply.err !== undefined && reply.err !== null) {
      if (isRpcErrorPayload(reply.err)) throw new RpcReplyError(reply.err);
      throw new CommonError(CommonErrorCode.Internal, 'Internal server error', `The service behind ${subject} failed.`);
    }
    return reply.response as T;
  }

  async close(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.drain().catch(() => this.connection.close());
  }
}

function serviceOf(subject: string): string {
  return subject.split('.')[1] ?? subject;
}

export function mapTransportError(err: unknown, subject: string, timeoutMs: number): CommonError {
  if (err instanceof RequestError && err.isNoResponders()) {
    return new CommonError(
      CommonErrorCode.DependencyUnavailable,
      'Service unavailable',
      `No ${serviceOf(subject)} service is running to answer this request; try again shortly.`,
    );
  }
  if (err instanceof NoRespondersError) {
    return new CommonError(CommonErrorCode.DependencyUnavailable, 'Service unavailable', `No ${serviceOf(subject)} service is running.`);
  }
  if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
    return new CommonError(CommonErrorCode.UpstreamTimeout, 'Upstream timeout', `The ${serviceOf(subject)} service did not answer within ${timeoutMs} ms.`);
  }
  return busUnavailable();
}

function busUnavailable(): CommonError {
  return new CommonError(
    CommonErrorCode.DependencyUnavailable,
    'Message bus unavailable',
    'The gateway cannot reach the message bus (NATS); try again shortly.',
  );
}
