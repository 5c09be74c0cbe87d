import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EventPublisher, NatsRpcClient, type AppConfig } from '#common';
import { APP_CONFIG } from './app-config.js';

@Global()
@Module({
  providers: [
    {
      provide: NatsRpcClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => NatsRpcClient.connect(config.NATS_URL, config.NATS_TIMEOUT_MS, 'mailplane-gateway'),
    },
    // Domain events the gateway itself causes (tenant suspension, resumption, deletion) go out on the
    // RPC client's connection: one connection per replica, closed below with the client.
    { provide: EventPublisher, inject: [NatsRpcClient], useFactory: (rpc: NatsRpcClient) => EventPublisher.over(rpc.connection) },
  ],
  exports: [NatsRpcClient, EventPublisher],
})
export class NatsModule implements OnApplicationShutdown {
  constructor(@Inject(NatsRpcClient) private readonly rpc: NatsRpcClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.rpc.close();
  }
}
