import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { pino } from 'pino';
import type { AppConfig } from '../config/config.schema.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Paths that must never reach a log line. The request/response serializers below already keep only
 * id, method, URL and status; these guard any header that gets logged some other way. (No `*.x`
 * wildcards: pino evaluates them on every log line, a measurable cost per request.)
 */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'res.headers["set-cookie"]'];

const ID = Symbol('mailplane.requestId');

/** The request's id: the caller's X-Request-Id when sane, else a new UUID; stable per request. */
export function requestIdOf(req: IncomingMessage): string {
  const holder = req as IncomingMessage & { [ID]?: string };
  if (!holder[ID]) {
    const given = req.headers['x-request-id'];
    holder[ID] = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  }
  return holder[ID];
}

/**
 * pino for every app. Log lines written while handling a request carry its id; the one line per
 * request comes from installAccessLog (not from pino-http's auto-logging).
 */
export function createLoggerModule(config: AppConfig, app: string) {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level: config.LOG_LEVEL,
        name: app,
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        autoLogging: false,
        quietReqLogger: true,
        genReqId: (req: IncomingMessage) => requestIdOf(req),
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      },
      // Asynchronous stdout writes: a request never waits for its log line to reach the pipe.
      pino.destination({ dest: 1, sync: false }),
    ],
  });
}
