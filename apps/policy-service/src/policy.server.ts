import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@nestjs/common';
import { formatReply, takeRequests } from './policy-request.parser.js';
import { TEMPORARY_FAILURE, type PolicyService } from './policy.service.js';

/** A request larger than this is no Postfix policy request: the connection is closed. */
const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * The TCP side of the policy delegation protocol: Postfix keeps one connection per smtpd process and
 * sends one request at a time; replies go out in request order even if a client pipelines.
 */
export function createPolicyServer(policy: PolicyService, log: Logger): Server {
  return createServer((socket: Socket) => {
    let buffer = '';
    let chain: Promise<void> = Promise.resolve();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const { requests, rest } = takeRequests(buffer + chunk);
      buffer = rest;
      if (buffer.length > MAX_REQUEST_BYTES) {
        log.warn(`policy request over ${MAX_REQUEST_BYTES} bytes from ${socket.remoteAddress}: closing`);
        socket.destroy();
        return;
      }
      for (const req of requests) {
        chain = chain.then(async () => {
          let action: string;
          try {
            action = await policy.decide(req);
          } catch (err) {
            log.error(`policy decision failed: ${(err as Error).message}`);
            action = TEMPORARY_FAILURE;
          }
          if (!socket.destroyed) socket.write(formatReply(action));
        });
      }
    });
    socket.on('error', () => socket.destroy());
  });
}
