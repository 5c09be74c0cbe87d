import type { FastifyInstance } from 'fastify';
import { requestIdOf } from '#common';
import { ApiErrorCode } from '#contracts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Hooks that act before Nest routing: every response carries X-Request-Id, and writes must be JSON
 * (415 otherwise, even without a body). Fastify's own errors (body parsing) reach the Nest
 * exception filter wrapped in an HttpException, so they get the same envelope as everything else.
 */
export function installFastifyHooks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('X-Request-Id', requestIdOf(req.raw));
    if (WRITE_METHODS.has(req.method) && !JSON_TYPE.test(req.headers['content-type'] ?? '')) {
      void reply.status(415).send({
        error: 'Unsupported media type',
        detail: `${req.method} requests must send Content-Type: application/json.`,
        code: ApiErrorCode.UNSUPPORTED_MEDIA_TYPE,
      });
      return;
    }
    done();
  });
}
