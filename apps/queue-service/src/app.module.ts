import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { createLoggerModule, createValidationPipe, RpcErrorFilter, type AppConfig } from '#common';
import { queueController } from './queue/queue.controller.js';
import { QueueService } from './queue/queue.service.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [createLoggerModule(config, 'queue-service')],
      controllers: [queueController(config.MAIL_NODE_ID)],
      providers: [
        { provide: QueueService, useFactory: () => new QueueService(config) },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
    };
  }
}
