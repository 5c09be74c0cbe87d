import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_SCHEME, BEARER_SCHEME } from '../../shared/authenticated.decorator.js';

export const DOCS_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/openapi.json';

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Mailplane API')
    .setDescription(
      'Control plane of a multi-tenant mail platform (Postfix, Dovecot, OpenDKIM).\n\n' +
        'Authenticate with `Authorization: Bearer <access token or API key>` or `X-API-Key: <API key>` ' +
        '(the API key wins when both are sent). Errors always carry `{error, detail, code}`; validation errors add `fields`.',
    )
    .setVersion(version)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or mp_ API key', description: 'Access token from POST /auth/login, or an API key' },
      BEARER_SCHEME,
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key `mp_<keyid>_<secret>`' }, API_KEY_SCHEME)
    .addTag('auth', 'Log in, refresh, who am I')
    .addTag('api-keys', 'Scoped API keys')
    .addTag('tenants', 'Tenants: limits, usage, suspension and deletion (platform only)')
    .addTag('accounts', 'Accounts, roles and domain delegation (tenant admins: their tenant; platform admins: any)')
    .addTag('domains', 'Mail domains')
    .addTag('mailboxes', 'Mailboxes and their passwords (Dovecot schemes; never returned)')
    .addTag('aliases', 'Aliases and catch-alls (loops refused)')
    .addTag('config', 'Configuration tiers: global, domain defaults, mailbox defaults, domain overrides and effective settings')
    .addTag('antispam', 'Anti-spam settings (DNSBL, greylisting) and white/black lists')
    .addTag('dkim', 'DKIM keys per domain (private keys never returned; the oldest RSA key signs until deleted, so rotation is safe)')
    .addTag('jobs', 'Async jobs: state, progress, result; cancel while queued')
    .addTag('system', 'Reconcile the mail stack (202 job) and what runs where (platform only)')
    .addTag('queue', 'The Postfix queue of the mail node (platform only; 503 without Postfix)')
    .addTag('stats', 'Host metrics and mail counters from the Postfix log (platform only)')
    .addTag('services', 'Postfix, Dovecot and OpenDKIM status and control (platform only)')
    .addTag('audit', 'Who changed what, when, from where (secrets redacted; retention AUDIT_RETENTION_DAYS)')
    .addTag('health', 'Liveness and readiness (public)')
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
}

export function mountOpenApi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'api/openapi.yaml',
    customSiteTitle: 'Mailplane API',
  });
}
