import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EventPublisher, NatsRpcClient, type AppConfig } from '#common';
import { APP_CONFIG } from './app-config.js';

@Global()
@Module({
  providers: [
    {
      provide: NatsRpcClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => NatsRpcClient.connect(config, 'gateway'),
    },
    // Domain events the gateway itself causes (tenant suspension, resumption, deletion).
    { provide: EventPublisher, inject: [APP_CONFIG], useFactory: (config: AppConfig) => EventPublisher.connect(config, 'gateway') },
  ],
  exports: [NatsRpcClient, EventPublisher],
})
export class NatsModule implements OnApplicationShutdown {
  constructor(@Inject(NatsRpcClient) private readonly rpc: NatsRpcClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.rpc.close();
  }
}
