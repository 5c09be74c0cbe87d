import 'reflect-metadata';
import { bootstrapNatsService } from '#common';
import { QueueGroups } from '#contracts';
import { AppModule } from './app.module.js';

void bootstrapNatsService({ name: 'stats-service', queue: QueueGroups.StatsService, module: (config) => AppModule.register(config), database: false });
