import { BUS_APPS, BUS_CATALOG, inboxPrefixOf, type BusApp } from './bus-catalog.js';

/** One list of a NATS user's permissions; an empty `allow` would mean "everything" to nats-server, so none is ever emitted. */
export type NatsSubjectPermission = { allow: string[] } | { deny: string[] };

export interface NatsUserPermissions {
  publish: NatsSubjectPermission;
  subscribe: NatsSubjectPermission;
  /** Services answer on the requester's reply subject without a publish right to every inbox. */
  allow_responses?: boolean;
}

const listOrNothing = (subjects: string[]): NatsSubjectPermission => (subjects.length ? { allow: [...new Set(subjects)] } : { deny: ['>'] });

/** The bus user of `app` may do exactly what the catalog says it does, and hear only its own request replies. */
export function natsPermissionsOf(app: BusApp): NatsUserPermissions {
  const role = BUS_CATALOG[app];
  const perms: NatsUserPermissions = {
    publish: listOrNothing([...role.requests, ...role.publishes]),
    subscribe: listOrNothing([...role.serves, ...role.listens, ...(role.requests.length ? [`${inboxPrefixOf(app)}.>`] : [])]),
  };
  if (role.serves.length) perms.allow_responses = true;
  return perms;
}

export interface NatsUserEntry {
  app: BusApp;
  user: string;
  /** Plain or bcrypt (`$2a$…`/`$2b$…`): nats-server accepts both. */
  password: string;
}

export interface NatsServerConfigInput {
  users: NatsUserEntry[];
  /** e.g. `127.0.0.1:4223`. */
  listen?: string;
  /** JetStream store; JetStream stays off when absent. */
  jetstreamStoreDir?: string;
  /** HTTP monitoring port (0/absent: off). */
  httpPort?: number;
}

/**
 * A nats-server configuration file: one user per app with the permissions above. Values are written
 * as JSON, which the nats-server config syntax accepts (quoted strings are never variable-expanded,
 * so bcrypt hashes with `$` are safe).
 */
export function renderNatsServerConfig(input: NatsServerConfigInput): string {
  const missing = BUS_APPS.filter((app) => !input.users.some((u) => u.app === app));
  if (missing.length) throw new Error(`no bus user for: ${missing.join(', ')}`);
  const users = input.users.map((u) => ({ user: u.user, password: u.password, permissions: natsPermissionsOf(u.app) }));
  const lines = ['# Generated from the bus catalog (libs/contracts/src/bus/bus-catalog.ts): do not edit by hand.'];
  if (input.listen) lines.push(`listen: ${JSON.stringify(input.listen)}`);
  if (input.httpPort) lines.push(`http_port: ${input.httpPort}`);
  if (input.jetstreamStoreDir) lines.push(`jetstream: { store_dir: ${JSON.stringify(input.jetstreamStoreDir)} }`);
  lines.push(`authorization: ${JSON.stringify({ users }, null, 2)}`);
  return `${lines.join('\n')}\n`;
}
