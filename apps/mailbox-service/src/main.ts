import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Logger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '#common';
import { QueueGroups } from '#contracts';
import { AppModule } from './app.module.js';
import { startHealthServer } from './health/health-server.js';

async function bootstrap(): Promise<void> {
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
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule.register(config), {
    transport: Transport.NATS,
    options: {
      servers: config.NATS_URL.split(','),
      // Without a queue group every replica would answer every request.
      queue: QueueGroups.MailboxService,
      name: `mailplane-mailbox-service-${process.pid}`,
      maxReconnectAttempts: -1,
      gracefulShutdown: true,
      gracePeriod: 2000,
    },
    bufferLogs: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.enableShutdownHooks();
  let natsConnected = false;
  app.status.subscribe((status) => (natsConnected = status === 'connected'));
  await app.listen();
  if (config.HEALTH_PORT) {
    const ds = app.get<DataSource>(getDataSourceToken());
    startHealthServer(config.HEALTH_PORT, ds, () => natsConnected).unref();
  }
  logger.log('mailbox-service listening on NATS');
}

void bootstrap();
