import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { writeNatsServerConfig } from '#common';
import { BUS_APPS, inboxPrefixOf, type BusApp } from '#contracts';

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
}

/** A child process whose output is kept for failure messages. */
export class Proc {
  readonly output: string[] = [];
  readonly child: ChildProcess;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    /** Written to the child's stdin, which is then closed; none = no stdin. */
    input?: string,
  ) {
    this.child = spawn(command, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) this.child.stdin!.end(input);
    const keep = (b: Buffer) => {
      this.output.push(b.toString());
      if (this.output.length > 400) this.output.shift();
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  tail(): string {
    return this.output.join('').split('\n').slice(-30).join('\n');
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGCONT');
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await once(this.child, 'exit');
    clearTimeout(timer);
  }
}

/** Runs a command to completion and returns its output; rejects on a non-zero exit. */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ stdout: string; stderr: string }> {
  const p = new Proc(command, command, args, env, input);
  let stdout = '';
  let stderr = '';
  p.child.stdout!.on('data', (b: Buffer) => (stdout += b));
  p.child.stderr!.on('data', (b: Buffer) => (stderr += b));
  const [code] = (await once(p.child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr || stdout}`);
  return { stdout, stderr };
}

/**
 * A private nats-server (JetStream on) so suites never see each other's or a dev instance's
 * services, configured like production: one user per app with the permissions generated from the
 * bus catalog, so every suite runs on an authenticated bus.
 */
export interface NatsServer {
  url: string;
  /** The generated nats-server configuration file. */
  configFile: string;
  /** Each app's bus password (its user is the app's name). */
  readonly passwords: Readonly<Record<BusApp, string>>;
  /** NATS_USER / NATS_PASSWORD of one app. */
  credentials(app: BusApp): { NATS_USER: string; NATS_PASSWORD: string };
  /** A connection as `app`'s bus user (with its reply inbox prefix). */
  connect(app: BusApp): Promise<NatsConnection>;
  /** The running server process (undefined while killed). */
  readonly proc: Proc | undefined;
  /** Stops the server but keeps its port and store, so `start()` brings the same one back. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNats(): Promise<NatsServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mp-nats-'));
  const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const passwords = Object.fromEntries(BUS_APPS.map((app) => [app, randomBytes(18).toString('base64url')])) as Record<BusApp, string>;
  const configFile = join(dir, 'nats-server.conf');
  // A low bcrypt cost: every suite connects a dozen clients, and the hashes never leave the temp dir.
  writeNatsServerConfig(configFile, { passwords, listen: `127.0.0.1:${port}`, jetstreamStoreDir: join(dir, 'jetstream'), bcryptCost: 4 });
  const url = `nats://127.0.0.1:${port}`;
  let proc: Proc | undefined;
  const start = async () => {
    const p = new Proc('nats', bin, ['-c', configFile], process.env);
    proc = p;
    await waitFor('nats-server', async () => {
      if (!p.running) throw new Error(`nats-server exited: ${p.tail()}`);
      return new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
    });
  };
  await start();
  return {
    url,
    configFile,
    passwords,
    credentials: (app) => ({ NATS_USER: app, NATS_PASSWORD: passwords[app] }),
    connect: (app) => natsConnect({ servers: url, user: app, pass: passwords[app], inboxPrefix: inboxPrefixOf(app), name: `test-as-${app}` }),
    get proc() {
      return proc?.running ? proc : undefined;
    },
    start,
    async kill() {
      await proc?.stop();
    },
    async stop() {
      await proc?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
