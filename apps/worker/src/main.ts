import 'reflect-metadata';
import { bootstrapNatsService } from '#common';
import { QueueGroups } from '#contracts';
import { AppModule } from './app.module.js';

void bootstrapNatsService({ name: 'worker', queue: QueueGroups.Worker, module: (config) => AppModule.register(config) });
