import 'reflect-metadata';
import { bootstrapNatsService } from '#common';
import { QueueGroups } from '#contracts';
import { AppModule } from './app.module.js';

void bootstrapNatsService({ name: 'dkim-tls-service', queue: QueueGroups.DkimTlsService, module: (config) => AppModule.register(config) });
