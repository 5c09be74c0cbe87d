export * from './bus-catalog.js';
export * from './nats-permissions.js';
export * from './bus.errors.js';
