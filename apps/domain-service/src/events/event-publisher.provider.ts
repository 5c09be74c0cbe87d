import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { EventPublisher, NatsRpcClient, type AppConfig } from '#common';

/** Domain events after each commit (the worker's reconcile trigger listens); payloads carry ids and names only. */
export function eventPublisherProvider(config: AppConfig): Provider {
  return { provide: EventPublisher, useFactory: () => EventPublisher.connect(config.NATS_URL, `mailplane-domain-service-events-${process.pid}`) };
}

/** Requests to other services (a cascade delete asks mailbox-service to remove the domain's mailboxes and aliases). */
export function rpcClientProvider(config: AppConfig): Provider {
  return { provide: NatsRpcClient, useFactory: () => NatsRpcClient.connect(config.NATS_URL, config.NATS_TIMEOUT_MS, `mailplane-domain-service-rpc-${process.pid}`) };
}

@Injectable()
export class EventPublisherCloser implements OnApplicationShutdown {
  constructor(
    @Inject(EventPublisher) private readonly events: EventPublisher,
    @Inject(NatsRpcClient) private readonly rpc: NatsRpcClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.events.close(), this.rpc.close()]);
  }
}
