export * from './passwords/mail-password.js';
export * from './passwords/sha512-crypt.js';
export * from './exec/command-runner.js';
export * from './reconcile/reconcile.types.js';
export * from './reconcile/reconcile.js';
