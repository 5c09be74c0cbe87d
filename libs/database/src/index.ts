export * from './data-source.js';
export * from './entities/tenant.entity.js';
export * from './entities/account.entity.js';
export * from './entities/api-key.entity.js';
export * from './entities/refresh-token.entity.js';
export * from './entities/domain.entity.js';
export * from './pg-results.js';
export * from './identity/admin-tasks.js';
