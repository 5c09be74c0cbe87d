import { Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher, SecretBox, type AppConfig } from '#common';
import { DomainLookup } from '#database';
import { DkimController } from './dkim.controller.js';
import { DkimKeysRepository } from './dkim-keys.repository.js';
import { DKIM_SECRET_BOX, DkimService } from './dkim.service.js';

export interface DkimSettings {
  /** The service's config: its bus connection for the change events. */
  config: AppConfig;
  /** MAILPLANE_SECRET_KEY (32 bytes, base64). */
  secretKey: string;
}

@Module({})
export class DkimModule {
  static register(settings: DkimSettings): DynamicModule {
    return {
      module: DkimModule,
      controllers: [DkimController],
      providers: [
        DkimService,
        DkimKeysRepository,
        DomainLookup,
        { provide: EventPublisher, useFactory: () => EventPublisher.connect(settings.config, 'dkim-tls-service') },
        { provide: DKIM_SECRET_BOX, useFactory: () => new SecretBox(settings.secretKey) },
      ],
    };
  }
}
