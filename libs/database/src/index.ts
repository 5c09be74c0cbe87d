export * from './data-source.js';
export * from './pg-results.js';
export * from './identity/admin-tasks.js';
export * from './database.module.js';
export * from './dkim/signing-keys.js';
export * from './domains/domain-lookup.js';
