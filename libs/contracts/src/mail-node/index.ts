export * from './queue.dto.js';
export * from './stats.dto.js';
export * from './services.dto.js';
export * from './mail-node.errors.js';
export * from './platform-only.js';
export * from './policy.constants.js';
