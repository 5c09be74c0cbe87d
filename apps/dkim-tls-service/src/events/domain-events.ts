import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventPublisher } from '#common';

/**
 * Publishes domain events (after the commit) on the service's own NATS connection. The connection
 * is opened at start-up; until it is up, events are dropped with a warning (the periodic reconcile
 * catches up).
 */
@Injectable()
export class DomainEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DomainEvents');
  private publisher: EventPublisher | undefined;

  constructor(private readonly natsUrl: string) {}

  async onModuleInit(): Promise<void> {
    this.publisher = await EventPublisher.connect(this.natsUrl, `mailplane-dkim-tls-service-events-${process.pid}`);
  }

  publish(subject: string, data: Record<string, unknown>): void {
    if (!this.publisher) {
      this.logger.warn(`event ${subject} dropped: not connected to NATS yet`);
      return;
    }
    this.publisher.publish(subject, data);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher?.close();
  }
}
