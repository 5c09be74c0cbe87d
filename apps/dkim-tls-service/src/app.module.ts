import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { createLoggerModule, createValidationPipe, RpcErrorFilter, type AppConfig } from '#common';
import { databaseModule } from '#database';
import { DkimModule } from './dkim/dkim.module.js';

@Module({})
export class AppModule {
  static register(config: AppConfig & { MAILPLANE_SECRET_KEY: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        createLoggerModule(config, 'dkim-tls-service'),
        databaseModule(config, 'dkim-tls-service'),
        DkimModule.register({ config, secretKey: config.MAILPLANE_SECRET_KEY }),
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
    };
  }
}
