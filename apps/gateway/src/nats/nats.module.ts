import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NatsRpcClient, type AppConfig } from '#common';
import { APP_CONFIG } from '../config/app-config.js';

@Global()
@Module({
  providers: [
    {
      provide: NatsRpcClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => NatsRpcClient.connect(config.NATS_URL, config.NATS_TIMEOUT_MS, 'mailplane-gateway'),
    },
  ],
  exports: [NatsRpcClient],
})
export class NatsModule implements OnApplicationShutdown {
  constructor(@Inject(NatsRpcClient) private readonly rpc: NatsRpcClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.rpc.close();
  }
}
