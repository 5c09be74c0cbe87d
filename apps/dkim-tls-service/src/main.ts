import 'reflect-metadata';
import { bootstrapNatsService, ConfigError, requireConfig } from '#common';
import { QueueGroups } from '#contracts';
import { AppModule } from './app.module.js';

bootstrapNatsService({
  name: 'dkim-tls-service',
  queue: QueueGroups.DkimTlsService,
  // Private keys are sealed at rest: without the key the service cannot do its job.
  module: (config) => AppModule.register(requireConfig(config, 'MAILPLANE_SECRET_KEY')),
}).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  throw err;
});
