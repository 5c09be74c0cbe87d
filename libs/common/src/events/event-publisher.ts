import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';

/**
 * Publishes domain events (`EventSubjects` in #contracts) after the database commit. Core NATS:
 * at most once, so a consumer that must not miss a change also reconciles periodically.
 * (A transactional outbox to JetStream is the planned upgrade.)
 */
export class EventPublisher {
  private readonly logger = new Logger('EventPublisher');

  private constructor(private readonly nc: NatsConnection) {}

  static async connect(url: string, name: string): Promise<EventPublisher> {
    return new EventPublisher(await connect({ servers: url.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 500 }));
  }

  /** On a connection the caller already has (and closes itself: do not call close() on this one). */
  static over(nc: NatsConnection): EventPublisher {
    return new EventPublisher(nc);
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
}
