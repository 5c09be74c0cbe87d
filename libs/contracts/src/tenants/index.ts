export * from './tenant.dto.js';
export * from './tenant.errors.js';
