import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** A private nats-server (JetStream on) so suites never see each other's or a dev instance's services. */
export interface NatsServer {
  url: string;
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
  let proc: Proc | undefined;
  const start = async () => {
    const p = new Proc('nats', bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], process.env);
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
    url: `nats://127.0.0.1:${port}`,
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
