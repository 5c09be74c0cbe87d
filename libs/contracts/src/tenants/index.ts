export * from './tenant.dto.js';
export * from './tenant.errors.js';
export * from './tenant-data.rpc.js';
