import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Logger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, type AppConfig } from '../config/config.schema.js';
import { startHealthServer } from './health-server.js';

export interface NatsServiceOptions {
  /** e.g. `domain-service`; names the NATS connection and the log lines. */
  name: string;
  /** The queue group: without one every replica would answer every request. */
  queue: string;
  module: (config: AppConfig) => DynamicModule;
  /** false for services without a database (readiness then means NATS only). */
  database?: boolean;
}

/** Starts a NestJS NATS microservice the same way for every service, with its probes on HEALTH_PORT. */
export async function bootstrapNatsService(options: NatsServiceOptions): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(options.module(config), {
    transport: Transport.NATS,
    options: {
      servers: config.NATS_URL.split(','),
      queue: options.queue,
      name: `mailplane-${options.name}-${process.pid}`,
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
    const ds = options.database === false ? null : app.get<DataSource>(getDataSourceToken());
    startHealthServer(config.HEALTH_PORT, ds, () => natsConnected).unref();
  }
  logger.log(`${options.name} listening on NATS`);
}
