import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { MailstackServiceName, ServiceAction } from '#contracts';
import { findBinary, runCommand } from '../exec/command-runner.js';
import { RSPAMD_PID_FILE } from '../rspamd/rspamd.js';

/** An argv to run (argv[0] a program name looked up in MAILSTACK_BIN_PATH, or an absolute path) or a signal to the daemon's pid. */
export type ServiceCommand = readonly string[] | { signal: NodeJS.Signals };
export type ServiceCommands = Partial<Record<ServiceAction, ServiceCommand>>;

export interface ServicePaths {
  binPath: string;
  postfixConfigDir: string;
  dovecotConfigDir: string;
  opendkimConfigDir: string;
}

/** What is known of one managed daemon: how to find it, its pid, its version, and its own control commands. */
export interface ServiceDefinition {
  name: MailstackServiceName;
  /** The program whose presence means "installed". */
  program: string;
  /** systemd unit. */
  unit: string;
  /** Expected /proc comm of the master process (a stale pid file may name a reused pid). */
  comm: string;
  pidFile(): Promise<string>;
  version(): Promise<string | null>;
  /** Commands when PID 1 is not systemd; `restart` absent = stop, wait for exit, start. */
  direct: ServiceCommands;
}

export function serviceDefinitions(p: ServicePaths): Record<MailstackServiceName, ServiceDefinition> {
  const bin = (program: string) => findBinary(program, p.binPath);
  const dovecotConf = join(p.dovecotConfigDir, 'dovecot.conf');
  // Debian keeps it beside the config folder (/etc/opendkim.conf next to /etc/opendkim/).
  const opendkimConf = () =>
    [join(p.opendkimConfigDir, 'opendkim.conf'), join(dirname(p.opendkimConfigDir), 'opendkim.conf')].find((f) => existsSync(f)) ??
    join(dirname(p.opendkimConfigDir), 'opendkim.conf');
  return {
    postfix: {
      name: 'postfix',
      program: 'postfix',
      unit: 'postfix',
      comm: 'master',
      pidFile: async () => join((await postconf(bin('postconf'), p.postfixConfigDir, 'queue_directory')) ?? '/var/spool/postfix', 'pid', 'master.pid'),
      version: async () =>
        (await postconf(bin('postconf'), p.postfixConfigDir, 'mail_version')) ?? (await firstToken(bin('postconf'), ['-d', '-h', 'mail_version'])),
      direct: {
        start: ['postfix', '-c', p.postfixConfigDir, 'start'],
        stop: ['postfix', '-c', p.postfixConfigDir, 'stop'],
        reload: ['postfix', '-c', p.postfixConfigDir, 'reload'],
      },
    },
    dovecot: {
      name: 'dovecot',
      program: 'dovecot',
      unit: 'dovecot',
      comm: 'dovecot',
      pidFile: async () => join((await firstToken(bin('doveconf'), ['-c', dovecotConf, '-h', 'base_dir'])) ?? '/run/dovecot', 'master.pid'),
      version: () => firstToken(bin('dovecot'), ['--version']),
      direct: {
        start: ['dovecot', '-c', dovecotConf],
        stop: ['doveadm', '-c', dovecotConf, 'stop'],
        reload: ['doveadm', '-c', dovecotConf, 'reload'],
      },
    },
    opendkim: {
      name: 'opendkim',
      program: 'opendkim',
      unit: 'opendkim',
      comm: 'opendkim',
      pidFile: async () => (await configValue(opendkimConf(), 'PidFile')) ?? '/run/opendkim/opendkim.pid',
      version: () => versionOf(bin('opendkim'), ['-V']),
      direct: {
        start: ['opendkim', '-x', opendkimConf()],
        stop: { signal: 'SIGTERM' },
        // opendkim re-reads its configuration file (and so KeyTable/SigningTable) on SIGUSR1.
        reload: { signal: 'SIGUSR1' },
      },
    },
    rspamd: {
      name: 'rspamd',
      program: 'rspamd',
      unit: 'rspamd',
      comm: 'rspamd',
      pidFile: async () => RSPAMD_PID_FILE,
      version: () => versionOf(bin('rspamd'), ['--version']),
      direct: {
        start: ['rspamd', '-u', '_rspamd', '-g', '_rspamd'],
        stop: { signal: 'SIGTERM' },
        // New workers on the new configuration; the old ones finish their messages first.
        reload: { signal: 'SIGHUP' },
      },
    },
    clamd: {
      name: 'clamd',
      program: 'clamd',
      unit: 'clamav-daemon',
      comm: 'clamd',
      pidFile: async () => (await configValue(CLAMD_CONF, 'PidFile')) ?? '/run/clamav/clamd.pid',
      version: () => versionOf(bin('clamd'), ['--version']),
      direct: {
        start: ['clamd', '-c', CLAMD_CONF],
        stop: { signal: 'SIGTERM' },
        // clamd reloads its signature databases on SIGUSR2.
        reload: { signal: 'SIGUSR2' },
      },
    },
  };
}

/** The clamd configuration scripts/lib/antispam-stack.sh writes (the Debian default one is not used). */
export const CLAMD_CONF = '/etc/clamav/mailplane-clamd.conf';

async function postconf(postconfBin: string | null, configDir: string, param: string): Promise<string | null> {
  return firstToken(postconfBin, ['-c', configDir, '-h', param]);
}

/** First word of a program's output (whole first line with `line`), or null if absent or failing. */
async function firstToken(program: string | null, args: string[], line = false): Promise<string | null> {
  if (!program) return null;
  try {
    const r = await runCommand(program, args, { timeoutMs: 10_000 });
    if (r.code !== 0) return null;
    const first = (r.stdout.trim() || r.stderr.trim()).split('\n')[0]?.trim();
    if (!first) return null;
    return line ? first : first.split(/\s+/)[0];
  } catch {
    return null;
  }
}

/** The first dotted version number in a program's first output line (the whole line if it has none). */
async function versionOf(program: string | null, args: string[]): Promise<string | null> {
  const out = await firstToken(program, args, true);
  return out ? (/v?(\d+(?:\.\d+)+)/.exec(out)?.[1] ?? out) : null;
}

/** `Key value` from an opendkim.conf-style file. */
async function configValue(file: string, key: string): Promise<string | null> {
  try {
    const m = new RegExp(`^\\s*${key}\\s+(\\S+)`, 'mi').exec(await readFile(file, 'utf8'));
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

/**
 * MAILSTACK_SERVICE_COMMANDS: `{"opendkim":{"start":["/usr/sbin/opendkim","-x","/etc/opendkim.conf"],"stop":{"signal":"SIGTERM"}}}`.
 * Throws with a clear message on a bad shape (config is checked at start-up by the caller).
 */
export function parseServiceCommands(json: string | undefined): Partial<Record<MailstackServiceName, ServiceCommands>> {
  if (!json?.trim()) return {};
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('MAILSTACK_SERVICE_COMMANDS must be a JSON object keyed by service name');
  const out: Partial<Record<MailstackServiceName, ServiceCommands>> = {};
  for (const [name, actions] of Object.entries(parsed as Record<string, unknown>)) {
    if (!['postfix', 'dovecot', 'opendkim'].includes(name)) throw new Error(`MAILSTACK_SERVICE_COMMANDS: unknown service ${name}`);
    if (typeof actions !== 'object' || actions === null) throw new Error(`MAILSTACK_SERVICE_COMMANDS.${name} must be an object`);
    const cmds: ServiceCommands = {};
    for (const [action, cmd] of Object.entries(actions as Record<string, unknown>)) {
      if (!['start', 'stop', 'restart', 'reload'].includes(action)) throw new Error(`MAILSTACK_SERVICE_COMMANDS.${name}: unknown action ${action}`);
      if (Array.isArray(cmd) && cmd.length > 0 && cmd.every((a) => typeof a === 'string')) cmds[action as ServiceAction] = cmd as string[];
      else if (
        typeof cmd === 'object' &&
        cmd !== null &&
        typeof (cmd as { signal?: unknown }).signal === 'string' &&
        /^SIG[A-Z0-9]+$/.test((cmd as { signal: string }).signal)
      ) {
        cmds[action as ServiceAction] = { signal: (cmd as { signal: NodeJS.Signals }).signal };
      } else throw new Error(`MAILSTACK_SERVICE_COMMANDS.${name}.${action} must be a non-empty array of strings or {"signal":"SIGxxx"}`);
    }
    out[name as MailstackServiceName] = cmds;
  }
  return out;
}
