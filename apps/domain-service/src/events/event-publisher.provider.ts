import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { EventPublisher, type AppConfig } from '#common';

/** Domain events after each commit (the worker's reconcile trigger listens); payloads carry ids and names only. */
export function eventPublisherProvider(config: AppConfig): Provider {
  return { provide: EventPublisher, useFactory: () => EventPublisher.connect(config.NATS_URL, `mailplane-domain-service-events-${process.pid}`) };
}

@Injectable()
export class EventPublisherCloser implements OnApplicationShutdown {
  constructor(@Inject(EventPublisher) private readonly events: EventPublisher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
  }
}
