export * from './dkim-selector.js';
export * from './dkim-record.js';
export * from './dkim.dto.js';
export * from './dkim.errors.js';
