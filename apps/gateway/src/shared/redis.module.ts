import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { AppConfig } from '#common';
import { APP_CONFIG } from './app-config.js';

export const REDIS = Symbol('REDIS');

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      // Fail fast while Redis is down instead of queueing commands forever.
      useFactory: (config: AppConfig) => {
        const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'mailplane-gateway' });
        // ioredis emits an error per reconnect attempt; say it once a minute, /health tells the rest.
        const logger = new Logger('Redis');
        let lastLogged = 0;
        redis.on('error', (err: Error) => {
          if (Date.now() - lastLogged < 60_000) return;
          lastLogged = Date.now();
          logger.warn(`Redis unavailable: ${err.message}`);
        });
        return redis;
      },
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
