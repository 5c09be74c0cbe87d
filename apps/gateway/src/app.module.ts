import { Module, type DynamicModule } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { createLoggerModule, type AppConfig } from '#common';
import { databaseModule } from '#database';
import { EdgeModule } from './edge/edge.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { APP_CONFIG } from './shared/app-config.js';
import { NatsModule } from './shared/nats.module.js';
import { RedisModule } from './shared/redis.module.js';

/** Modules only: infrastructure (config, logging, database, JWT, NATS, Redis), identity, and the edge in front of it. */
@Module({})
export class AppModule {
  static register(config: AppConfig & { JWT_SECRET: string }): DynamicModule {
    const configModule: DynamicModule = {
      module: class ConfigModule {},
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
    return {
      module: AppModule,
      imports: [
        configModule,
        createLoggerModule(config, 'gateway'),
        databaseModule(config, 'gateway'),
        JwtModule.register({
          global: true,
          secret: config.JWT_SECRET,
          signOptions: { algorithm: 'HS256', issuer: 'mailplane' },
          verifyOptions: { issuer: 'mailplane' },
        }),
        NatsModule,
        RedisModule,
        IdentityModule,
        EdgeModule,
      ],
    };
  }
}
