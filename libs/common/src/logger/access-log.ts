import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { AppConfig } from '../config/config.schema.js';
import { requestIdOf } from './logger.module.js';

/**
 * One line per finished request, written from Fastify's onResponse hook with a plain logger:
 * pino-http's automatic request logging builds two child loggers per request, which the
 * benchmark showed as the gateway's largest single overhead. Only id, method, path and status are
 * logged: never headers, query strings or bodies.
 */
export function installAccessLog(fastify: FastifyInstance, config: AppConfig, app: string): void {
  const log = pino({ name: app, level: config.LOG_LEVEL }, pino.destination({ dest: 1, sync: false }));
  if (!log.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (req, reply, done) => {
    log.info(
      {
        req: { id: requestIdOf(req.raw), method: req.method, url: req.url.split('?')[0] },
        res: { statusCode: reply.statusCode },
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    done();
  });
}
