import type { FastifyInstance } from 'fastify';
import { requestIdOf } from '#common';
import { ApiErrorCode } from '#contracts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = /^application\/json\s*(;|$)/i;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return (headers['content-length'] !== undefined && headers['content-length'] !== '0') || headers['transfer-encoding'] !== undefined;
}

/**
 * Hooks that act before Nest routing: every response carries X-Request-Id, and writes must be JSON
 * (415 otherwise, even without a body). Fastify's own errors (body parsing) reach the Nest
 * exception filter wrapped in an HttpException, so they get the same envelope as everything else.
 */
export function installFastifyHooks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('X-Request-Id', requestIdOf(req.raw));
    // Some clients send Content-Type: application/json on bodiless DELETEs; Fastify would call
    // that an empty JSON body. Without a body there is nothing to parse.
    if (!WRITE_METHODS.has(req.method) && !hasBody(req.headers)) delete req.headers['content-type'];
    // Unknown routes stay a 404 whatever their Content-Type.
    if (WRITE_METHODS.has(req.method) && req.routeOptions.url !== undefined && !JSON_TYPE.test(req.headers['content-type'] ?? '')) {
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
