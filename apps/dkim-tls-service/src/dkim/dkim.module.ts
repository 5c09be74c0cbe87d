import { Module, type DynamicModule } from '@nestjs/common';
import { SecretBox } from '#common';
import { DomainLookup } from '#database';
import { DomainEvents } from '../events/domain-events.js';
import { DkimController } from './dkim.controller.js';
import { DkimKeysRepository } from './dkim-keys.repository.js';
import { DKIM_SECRET_BOX, DkimService } from './dkim.service.js';

export interface DkimSettings {
  natsUrl: string;
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
        { provide: DomainEvents, useFactory: () => new DomainEvents(settings.natsUrl) },
        { provide: DKIM_SECRET_BOX, useFactory: () => new SecretBox(settings.secretKey) },
      ],
    };
  }
}
