import { writeFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { BUS_APPS, renderNatsServerConfig, type BusApp, type NatsServerConfigInput } from '#contracts';

/** The environment variable that holds one app's bus password for the config generator (e.g. NATS_PASSWORD_DOMAIN_SERVICE). */
export function natsPasswordEnvOf(app: BusApp): string {
  return `NATS_PASSWORD_${app.toUpperCase().replace(/-/g, '_')}`;
}

export interface NatsServerConfigFile extends Omit<NatsServerConfigInput, 'users'> {
  /** Each app's password; its user is the app's name. */
  passwords: Readonly<Record<BusApp, string>>;
  /** bcrypt cost of the stored hashes; 0 stores the passwords as they are. */
  bcryptCost?: number;
}

/** Writes a nats-server config (mode 600): the passwords go in as bcrypt hashes unless told otherwise. */
export function writeNatsServerConfig(path: string, input: NatsServerConfigFile): void {
  const cost = input.bcryptCost ?? 11;
  const users = BUS_APPS.map((app) => {
    const password = input.passwords[app];
    if (!password) throw new Error(`no bus password for ${app}`);
    return { app, user: app, password: cost > 0 ? bcrypt.hashSync(password, cost) : password };
  });
  writeFileSync(path, renderNatsServerConfig({ ...input, users }), { mode: 0o600 });
}
