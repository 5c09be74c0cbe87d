import { existsSync } from 'node:fs';
import { MAILSTACK_SERVICE_NAMES, MailNodeError, MailNodeErrorCode, type MailstackServiceName, type ServiceAction, type ServiceStatusDto } from '#contracts';
import { MailstackMissingError, requireBinary, runCommand, type CommandResult } from '../exec/command-runner.js';
import { liveProcess, pid1IsSystemd, readPidFile, sleep, waitUntil, type ProcInfo } from './process-state.js';
import {
  parseServiceCommands,
  serviceDefinitions,
  type ServicePaths,
  type ServiceCommand,
  type ServiceCommands,
  type ServiceDefinition,
} from './service-definitions.js';

export interface ServiceControlOptions extends ServicePaths {
  services: readonly MailstackServiceName[];
  /** MAILSTACK_SERVICE_COMMANDS (JSON). */
  commandsJson?: string;
  /** Default: systemd when PID 1 is systemd. */
  mode?: 'systemd' | 'direct';
  /** How long to wait for a daemon to come up or go away. */
  waitMs?: number;
}

export interface ServiceActionOutcome {
  action: ServiceAction;
  changed: boolean;
  service: ServiceStatusDto;
}

/**
 * Status and control of the mail daemons. Status comes from each daemon's pid file and /proc (the
 * same whether systemd runs them or not); control uses systemctl when PID 1 is systemd, else the
 * daemons' own commands, each overridable through MAILSTACK_SERVICE_COMMANDS.
 *
 * Semantics: start on a running daemon and stop on a stopped one change nothing and succeed
 * (`changed: false`) — the caller asked for a state and it holds; reload of a stopped daemon is a
 * 409 (there is nothing to reload; start it instead); restart of a stopped daemon starts it.
 */
export class ServiceControl {
  private readonly mode: 'systemd' | 'direct';
  private readonly overrides: Partial<Record<MailstackServiceName, ServiceCommands>>;
  private readonly waitMs: number;

  constructor(private readonly options: ServiceControlOptions) {
    this.mode = options.mode ?? (pid1IsSystemd() ? 'systemd' : 'direct');
    this.overrides = parseServiceCommands(options.commandsJson);
    this.waitMs = options.waitMs ?? 30_000;
  }

  get names(): readonly MailstackServiceName[] {
    return this.options.services;
  }

  async statusAll(): Promise<ServiceStatusDto[]> {
    return Promise.all(this.options.services.map((n) => this.status(n)));
  }

  async status(name: string): Promise<ServiceStatusDto> {
    const def = this.definition(name);
    const installed = this.installed(def);
    const proc = installed ? await this.process(def) : null;
    const version = installed ? await def.version() : null;
    return {
      name: def.name,
      installed,
      running: proc !== null,
      pid: proc?.pid ?? null,
      version,
      since: proc?.startedAt?.toISOString() ?? null,
      uptime_seconds: proc?.startedAt ? Math.max(0, Math.round((Date.now() - proc.startedAt.getTime()) / 1000)) : null,
      control: this.mode,
    };
  }

  /** Every known daemon's version (managed or not): null when not installed, 'unknown' when it would not say. */
  async versions(): Promise<Record<MailstackServiceName, string | null>> {
    const defs = serviceDefinitions(this.options);
    const entries = await Promise.all(
      MAILSTACK_SERVICE_NAMES.map(async (n) => [n, this.installed(defs[n]) ? ((await defs[n].version()) ?? 'unknown') : null] as const),
    );
    return Object.fromEntries(entries) as Record<MailstackServiceName, string | null>;
  }

  async act(name: string, action: ServiceAction): Promise<ServiceActionOutcome> {
    const def = this.definition(name);
    requireBinary(def.program, this.options.binPath);
    const before = await this.process(def);
    let changed = true;
    switch (action) {
      case 'start':
        if (before) changed = false;
        else await this.start(def);
        break;
      case 'stop':
        if (!before) changed = false;
        else await this.stop(def, before);
        break;
      case 'restart':
        await this.restart(def, before);
        break;
      case 'reload':
        if (!before)
          throw new MailNodeError(
            MailNodeErrorCode.ServiceNotRunning,
            `${def.name} is not running`,
            `${def.name} is stopped: there is nothing to reload. Start it instead.`,
          );
        await this.reload(def, before);
        break;
    }
    return { action, changed, service: await this.status(def.name) };
  }

  private definition(name: string): ServiceDefinition {
    if (!(this.options.services as readonly string[]).includes(name)) {
      throw new MailNodeError(
        MailNodeErrorCode.UnknownService,
        'Service not found',
        `No managed service ${name}; this node manages: ${this.options.services.join(', ')}.`,
      );
    }
    return serviceDefinitions(this.options)[name as MailstackServiceName];
  }

  private installed(def: ServiceDefinition): boolean {
    try {
      requireBinary(def.program, this.options.binPath);
      return true;
    } catch (err) {
      if (err instanceof MailstackMissingError) return false;
      throw err;
    }
  }

  /** The daemon's live master process, or null when it is not running. */
  private async process(def: ServiceDefinition): Promise<ProcInfo | null> {
    const pid = await readPidFile(await def.pidFile());
    if (pid === null) return null;
    const proc = await liveProcess(pid);
    return proc && proc.comm === def.comm ? proc : null;
  }

  private command(def: ServiceDefinition, action: ServiceAction): ServiceCommand | undefined {
    const override = this.overrides[def.name]?.[action];
    if (override) return override;
    if (this.mode === 'systemd') return ['systemctl', action, def.unit];
    return def.direct[action];
  }

  private async start(def: ServiceDefinition): Promise<void> {
    const result = await this.run(def, 'start', null);
    if (!(await waitUntil(async () => (await this.process(def)) !== null, this.waitMs))) this.failed(def, 'start', result, 'it is not running afterwards');
    // A daemon can write its pid file and then die (e.g. its port still taken): make sure it stays up.
    await sleep(300);
    if (!(await this.process(def))) this.failed(def, 'start', result, 'it exited right after starting; see its log');
  }

  private async stop(def: ServiceDefinition, proc: ProcInfo): Promise<void> {
    const result = await this.run(def, 'stop', proc);
    // Wait for the old process itself to be gone (not just the pid file): a new one started while
    // it still holds its sockets dies on "address in use".
    if (!(await waitUntil(async () => (await liveProcess(proc.pid)) === null, this.waitMs))) this.failed(def, 'stop', result, `pid ${proc.pid} is still alive`);
  }

  private async restart(def: ServiceDefinition, before: ProcInfo | null): Promise<void> {
    const cmd = this.command(def, 'restart');
    if (!cmd) {
      if (before) await this.stop(def, before);
      await this.start(def);
      return;
    }
    const result = await this.run(def, 'restart', before);
    const ok = await waitUntil(async () => {
      const now = await this.process(def);
      return now !== null && (before === null || now.pid !== before.pid);
    }, this.waitMs);
    if (!ok) this.failed(def, 'restart', result, 'no new master process came up');
  }

  private async reload(def: ServiceDefinition, proc: ProcInfo): Promise<void> {
    const result = await this.run(def, 'reload', proc);
    if (result && result.code !== 0) this.failed(def, 'reload', result, `exit code ${result.code}`);
    await sleep(200);
    if (!(await this.process(def))) this.failed(def, 'reload', result, 'it is no longer running afterwards');
  }

  /** Runs the action's command; a signal goes to the master pid. Returns null for signals. */
  private async run(def: ServiceDefinition, action: ServiceAction, proc: ProcInfo | null): Promise<CommandResult | null> {
    const cmd = this.command(def, action);
    if (!cmd)
      throw new MailNodeError(
        MailNodeErrorCode.ServiceActionFailed,
        `Cannot ${action} ${def.name}`,
        `No ${action} command is configured for ${def.name} (see MAILSTACK_SERVICE_COMMANDS).`,
      );
    if (!Array.isArray(cmd)) {
      const { signal } = cmd as { signal: NodeJS.Signals };
      if (!proc)
        throw new MailNodeError(MailNodeErrorCode.ServiceNotRunning, `${def.name} is not running`, `${def.name} has no running process to send ${signal} to.`);
      process.kill(proc.pid, signal);
      return null;
    }
    const [program, ...args] = cmd as readonly string[];
    return runCommand(this.resolve(program), args, { timeoutMs: this.waitMs });
  }

  /** A bare name is looked up in MAILSTACK_BIN_PATH; an absolute path (from MAILSTACK_SERVICE_COMMANDS) must exist. */
  private resolve(program: string): string {
    if (!program.startsWith('/')) return requireBinary(program, this.options.binPath);
    if (!existsSync(program)) throw new MailstackMissingError(program, this.options.binPath);
    return program;
  }

  private failed(def: ServiceDefinition, action: ServiceAction, result: CommandResult | null, why: string): never {
    const output = result ? `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-3).join(' / ').slice(0, 500) : '';
    throw new MailNodeError(
      MailNodeErrorCode.ServiceActionFailed,
      `${def.name} ${action} failed`,
      `${def.name} ${action} did not take effect (${why})${result ? `; the command exited with ${result.code}` : ''}${output ? `: ${output}` : ''}.`,
    );
  }
}
