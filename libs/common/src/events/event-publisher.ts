import type { NatsConnection } from '@nats-io/transport-node';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { BusApp } from '#contracts';
import type { AppConfig } from '../config/config.schema.js';
import { connectBus } from '../nats/bus-connection.js';

/**
 * Publishes domain events (`EventSubjects` in #contracts) after the database commit, on a bus
 * connection of its own: the only way events are published. Core NATS: at most once, so a consumer
 * that must not miss a change also reconciles periodically. (A transactional outbox to JetStream is
 * the planned upgrade.) As a Nest provider it closes its connection at shutdown.
 */
export class EventPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger('EventPublisher');

  private constructor(private readonly nc: NatsConnection) {}

  static async connect(config: AppConfig, app: BusApp): Promise<EventPublisher> {
    return new EventPublisher(await connectBus(config, app, 'events'));
  }

  /** Never throws: the change is committed, a lost event only delays the reconcile. */
  publish(subject: string, data: Record<string, unknown>): void {
    try {
      this.nc.publish(subject, JSON.stringify({ ...data, at: new Date().toISOString() }));
    } catch (err) {
      this.logger.warn(`event ${subject} not published: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
