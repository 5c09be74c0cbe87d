import type { FastifyInstance } from 'fastify';
import type { Logger } from '@nestjs/common';
import type { AppConfig } from '#common';

/** How often Node looks for requests past HTTP_REQUEST_TIMEOUT_MS / HTTP_HEADERS_TIMEOUT_MS (its default, 30 s, would double them). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * Fastify's and Node's timeouts for clients that are slow or stall: the whole request, its
 * headers, and an idle connection. Node refuses a headers timeout above the request timeout.
 */
export function serverTimeouts(config: AppConfig) {
  return {
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
  };
}

function announcesBody(headers: Record<string, string | string[] | undefined>): boolean {
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}

/**
 * A client that announced a body has HTTP_BODY_TIMEOUT_MS to send it, shorter than the request
 * timeout: a stalled upload would otherwise hold a connection (and a parser) for the full time.
 * It gets a 408 and the connection is closed, as Node does for the request timeout. Logged at
 * info: a slow client is the client's problem, not the gateway's.
 */
export function installBodyTimeout(fastify: FastifyInstance, timeoutMs: number, log: Logger): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    if (!announcesBody(req.headers)) return done();
    const socket = req.raw.socket;
    const timer = setTimeout(() => {
      log.log(`${req.method} ${req.url.split('?')[0]}: the body did not arrive within ${timeoutMs} ms; connection closed`);
      if (!socket.destroyed && socket.writable && !reply.raw.headersSent) {
        socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      socket.destroySoon();
    }, timeoutMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    // The body was read (or the request ended some other way): the timer has no more to do.
    req.raw.once('end', clear);
    req.raw.once('close', clear);
    reply.raw.once('finish', clear);
    done();
  });
}
