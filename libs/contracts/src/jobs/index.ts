export * from './job.dto.js';
export * from './job.errors.js';
export * from './job.rpc.js';
