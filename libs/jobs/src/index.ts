export * from './job-names.js';
export * from './job-data.js';
export * from './job-status.store.js';
export * from './job-queues.js';
export * from './redis-connection.js';
export * from './import-rows.js';
export * from './job.mapper.js';
export * from './import-passwords.js';
