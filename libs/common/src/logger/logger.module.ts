import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/config.schema.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Paths that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.refresh_token',
  '*.access_token',
  '*.key',
  '*.secret',
];

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

/** pino for every app; HTTP apps get request logging with an X-Request-Id echoed back. */
export function createLoggerModule(config: AppConfig, app: string, http: boolean) {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: config.LOG_LEVEL,
      name: app,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: http,
      quietReqLogger: true,
      genReqId: (req: IncomingMessage) => requestIdOf(req),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
