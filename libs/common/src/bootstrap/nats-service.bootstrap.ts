import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Logger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { BUS_CATALOG, type BusApp } from '#contracts';
import { callerTokenVerifier } from '../bus/bus-auth.js';
import { BusCallerGuard } from '../bus/bus-caller.guard.js';
import type { CallerTokenVerifier } from '../bus/caller-token.js';
import { ConfigError, loadConfig, type AppConfig } from '../config/config.schema.js';
import { busConnectionOptions } from '../nats/bus-connection.js';
import { startHealthServer } from './health-server.js';

export interface NatsServiceOptions {
  /** e.g. `domain-service`: its bus user, its role in the bus catalog, the NATS connection's and log lines' name. */
  name: BusApp;
  /** The queue group: without one every replica would answer every request. */
  queue: string;
  module: (config: AppConfig) => DynamicModule;
  /** false for services without a database (readiness then means NATS only). */
  database?: boolean;
}

/** Starts a NestJS NATS microservice the same way for every service, with its probes on HEALTH_PORT. */
export async function bootstrapNatsService(options: NatsServiceOptions): Promise<void> {
  let config: AppConfig;
  // A service that answers requests verifies every caller context before a handler runs.
  let verifier: CallerTokenVerifier | undefined;
  try {
    config = loadConfig();
    if (BUS_CATALOG[options.name].serves.length) verifier = await callerTokenVerifier(config);
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
      ...busConnectionOptions(config, options.name),
      queue: options.queue,
      gracefulShutdown: true,
      gracePeriod: 2000,
    },
    bufferLogs: true,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  if (verifier) app.useGlobalGuards(new BusCallerGuard(verifier));
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
