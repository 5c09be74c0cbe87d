import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { createLoggerModule, createValidationPipe, RpcErrorFilter, type AppConfig } from '#common';
import { ServicesService } from './services/services.service.js';
import { statsController } from './stats.controller.js';
import { HostStatsService } from './stats/host-stats.service.js';
import { MailStatsService } from './stats/mail-stats.service.js';
import { AboutService } from './system/about.service.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    const services = new ServicesService(config);
    return {
      module: AppModule,
      imports: [createLoggerModule(config, 'stats-service')],
      controllers: [statsController(config.MAIL_NODE_ID)],
      providers: [
        { provide: ServicesService, useValue: services },
        { provide: HostStatsService, useValue: new HostStatsService(config, services) },
        { provide: MailStatsService, useValue: new MailStatsService(config) },
        { provide: AboutService, useValue: new AboutService(config, services) },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
    };
  }
}
