/**
 * Writes the nats-server configuration of the bus: one user per app, permissions generated from
 * the bus catalog, passwords (bcrypt-hashed) from NATS_PASSWORD_<APP> in the environment.
 *
 *   node dist/libs/common/src/bus/nats-server-config.cli.js --out FILE [--listen HOST:PORT] [--store DIR] [--http-port N] [--bcrypt-cost N]
 */
import { parseArgs } from 'node:util';
import { BUS_APPS, type BusApp } from '#contracts';
import { natsPasswordEnvOf, writeNatsServerConfig } from './nats-server-config.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    listen: { type: 'string' },
    store: { type: 'string' },
    'http-port': { type: 'string' },
    'bcrypt-cost': { type: 'string' },
  },
});
if (!values.out) {
  console.error('usage: nats-server-config --out FILE [--listen HOST:PORT] [--store DIR] [--http-port N] [--bcrypt-cost N]');
  process.exit(64);
}
const missing = BUS_APPS.filter((app) => !process.env[natsPasswordEnvOf(app)]);
if (missing.length) {
  console.error(`missing bus passwords: ${missing.map(natsPasswordEnvOf).join(', ')}`);
  process.exit(78);
}
const passwords = Object.fromEntries(BUS_APPS.map((app) => [app, process.env[natsPasswordEnvOf(app)]!])) as Record<BusApp, string>;
writeNatsServerConfig(values.out, {
  passwords,
  listen: values.listen,
  jetstreamStoreDir: values.store,
  httpPort: values['http-port'] ? Number(values['http-port']) : undefined,
  bcryptCost: values['bcrypt-cost'] !== undefined ? Number(values['bcrypt-cost']) : undefined,
});
console.log(`nats-server config written to ${values.out}`);
