import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { createLoggerModule, createValidationPipe, EventPublisher, RpcErrorFilter, type AppConfig } from '#common';
import { databaseModule } from '#database';
import { AntispamController } from './antispam/antispam.controller.js';
import { AntispamRepository } from './antispam/antispam.repository.js';
import { AntispamService } from './antispam/antispam.service.js';
import { ConfigController } from './config/config.controller.js';
import { ConfigRepository } from './config/config.repository.js';
import { ConfigService } from './config/config.service.js';
import { DomainsController } from './domains/domains.controller.js';
import { DomainsRepository } from './domains/domains.repository.js';
import { DomainsService } from './domains/domains.service.js';
import { TenantDataController } from './tenant-data/tenant-data.controller.js';
import { TenantDataRepository } from './tenant-data/tenant-data.repository.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [createLoggerModule(config, 'domain-service'), databaseModule(config, 'domain-service')],
      controllers: [DomainsController, ConfigController, AntispamController, TenantDataController],
      providers: [
        DomainsService,
        DomainsRepository,
        ConfigService,
        ConfigRepository,
        AntispamService,
        AntispamRepository,
        TenantDataRepository,
        // Domain events after each commit (the worker's reconcile trigger listens); payloads carry ids and names only.
        { provide: EventPublisher, useFactory: () => EventPublisher.connect(config, 'domain-service') },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
    };
  }
}
