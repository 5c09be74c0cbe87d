export * from './job.dto.js';
export * from './job.errors.js';
