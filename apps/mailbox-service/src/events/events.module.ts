import { Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher, type AppConfig } from '#common';

/** The change events mailbox-service publishes (EventSubjects.MailboxConfigChanged), for every module. */
@Module({})
export class EventsModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: EventsModule,
      global: true,
      providers: [{ provide: EventPublisher, useFactory: () => EventPublisher.connect(config, 'mailbox-service') }],
      exports: [EventPublisher],
    };
  }
}
