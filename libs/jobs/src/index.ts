export * from './job-names.js';
