import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '#common';
import { AppModule } from './app.module.js';

/**
 * Postfix's policy service (check_policy_service, rendered by reconcile): sending and size limits at
 * SMTP time. It speaks only the policy protocol on POLICY_HOST:POLICY_PORT; no NATS, no HTTP.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const app = await NestFactory.createApplicationContext(AppModule.register(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

void main();
