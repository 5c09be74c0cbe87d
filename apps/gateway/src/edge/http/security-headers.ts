import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** HSTS max-age: one year, what browsers' preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * The API serves JSON and one HTML page, Swagger UI at /api/docs: its scripts and stylesheet come
 * from the gateway itself (swagger-ui-bundle.js, swagger-ui-init.js, swagger-ui.css), the page has
 * inline <style> blocks and the UI sets inline styles and data: images, and "Try it out" fetches
 * the API on the same origin. Nothing is loaded from elsewhere, and no page may frame the gateway.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Security headers on every response. HSTS only when configured: the gateway speaks plain HTTP
 * behind a TLS-terminating proxy, and only the operator knows that clients reach it over HTTPS
 * (HSTS on a plain-HTTP deployment locks browsers out for a year). For the same reason no
 * upgrade-insecure-requests.
 */
export async function installSecurityHeaders(app: NestFastifyApplication, options: { hsts: boolean }): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    hsts: options.hsts ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true } : false,
    // Swagger UI loads nothing cross-origin; the API's JSON is for any client.
    crossOriginEmbedderPolicy: false,
  });
}
