import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { inboxPrefixOf, type BusApp } from '#contracts';
import type { AppConfig } from '../config/config.schema.js';

/**
 * How every connection of `app` to the bus is made: its own user (NATS_USER, default the app's
 * name) and password, and its own reply inbox prefix, which is all its user may subscribe to for replies.
 */
export function busConnectionOptions(config: AppConfig, app: BusApp, purpose?: string): NodeConnectionOptions {
  return {
    servers: config.NATS_URL.split(','),
    name: `mailplane-${app}${purpose ? `-${purpose}` : ''}-${process.pid}`,
    ...(config.NATS_PASSWORD !== undefined ? { user: config.NATS_USER ?? app, pass: config.NATS_PASSWORD } : {}),
    inboxPrefix: inboxPrefixOf(app),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
  };
}

export function connectBus(config: AppConfig, app: BusApp, purpose?: string): Promise<NatsConnection> {
  return connect(busConnectionOptions(config, app, purpose));
}
