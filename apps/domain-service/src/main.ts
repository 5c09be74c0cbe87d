import 'reflect-metadata';
import { bootstrapNatsService } from '#common';
import { QueueGroups } from '#contracts';
import { AppModule } from './app.module.js';

void bootstrapNatsService({ name: 'domain-service', queue: QueueGroups.DomainService, module: (config) => AppModule.register(config) });
