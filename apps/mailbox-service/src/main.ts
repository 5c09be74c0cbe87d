import 'reflect-metadata';
import { bootstrapNatsService } from '#common';
import { QueueGroups } from '#contracts';
import { AppModule } from './app.module.js';

void bootstrapNatsService({ name: 'mailbox-service', queue: QueueGroups.MailboxService, module: (config) => AppModule.register(config) });
