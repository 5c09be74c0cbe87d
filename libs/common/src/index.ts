export * from './config/config.schema.js';
