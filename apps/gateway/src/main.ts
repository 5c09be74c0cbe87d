import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { readFileSync } from 'node:fs';
import { Logger as NestLogger } from '@nestjs/common';
import { ConfigError, installAccessLog, loadConfig, requireConfig, toHttpError } from '#common';
import { AppModule } from './app.module.js';
import { installFastifyHooks } from './edge/http/fastify-hooks.js';
import { installSecurityHeaders } from './edge/http/security-headers.js';
import { installBodyTimeout, serverTimeouts } from './edge/http/slow-clients.js';
import { installAuditHooks } from './identity/audit/audit.hooks.js';
import { AuditRepository } from './identity/audit/audit.repository.js';
import { buildOpenApiDocument, DOCS_PATH, mountOpenApi } from './edge/openapi/openapi.js';

const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = requireConfig(loadConfig(), 'JWT_SECRET');
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const trustProxy = config.TRUST_PROXY.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const frameworkLogger = new NestLogger('Fastify');
  const adapter = new FastifyAdapter({
    // Only these proxies' X-Forwarded-For is believed (request.ip: IP allowlists, login rate limit).
    trustProxy: trustProxy.length ? trustProxy : false,
    bodyLimit: 1_048_576,
    ...serverTimeouts(config),
    // A percent-encoded 253-character IDN is far longer than Fastify's default of 100.
    routerOptions: { maxParamLength: 4096 },
    // Errors Fastify raises before routing (bad percent-encoding) get the envelope too.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = toHttpError(err, frameworkLogger, req);
      void reply.code(status).send(body);
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await installSecurityHeaders(app, { hsts: config.HSTS });
  installFastifyHooks(app.getHttpAdapter().getInstance());
  installBodyTimeout(app.getHttpAdapter().getInstance(), config.HTTP_BODY_TIMEOUT_MS, frameworkLogger);
  installAccessLog(app.getHttpAdapter().getInstance(), config, 'gateway');
  installAuditHooks(app.getHttpAdapter().getInstance(), app.get(AuditRepository), new NestLogger('Audit'));
  app.setGlobalPrefix('api/v1', { exclude: ['health', 'health/live', 'health/ready'] });
  app.enableShutdownHooks();
  mountOpenApi(app, buildOpenApiDocument(app, pkg.version));
  await app.listen(config.GATEWAY_PORT, config.GATEWAY_HOST);
  const url = config.PUBLIC_URL ?? `http://${config.GATEWAY_HOST === '0.0.0.0' ? '127.0.0.1' : config.GATEWAY_HOST}:${config.GATEWAY_PORT}`;
  app.get(Logger).log(`gateway listening on ${url}; Swagger UI at ${url}/${DOCS_PATH}`);
}

void bootstrap();
