import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand } from '../exec/command-runner.js';
import { findProcessesByExe, isAlive, readPidFile, tcpOpen, waitUntil } from '../reconcile/process-state.js';

const oneLine = (r: { stdout: string; stderr: string }) =>
  `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');

/** The base opendkim.conf lives beside the config folder: /etc/opendkim → /etc/opendkim.conf. */
export const opendkimConfPath = (opendkimDir: string) => join(dirname(opendkimDir), 'opendkim.conf');

interface OpendkimConf {
  pidFile: string | null;
  socket: { host: string; port: number } | null;
}

/** The two settings a restart needs from opendkim.conf. */
export async function readOpendkimConf(confFile: string): Promise<OpendkimConf> {
  const text = await readFile(confFile, 'utf8');
  const get = (key: string) => new RegExp(`^\\s*${key}\\s+(\\S+)`, 'mi').exec(text)?.[1] ?? null;
  const sock = /^inet6?:(\d+)@(.+)$/.exec(get('Socket') ?? '');
  return { pidFile: get('PidFile'), socket: sock ? { port: Number(sock[1]), host: sock[2].replace(/^\[|\]$/g, '') } : null };
}

/**
 * OpenDKIM 2.11 (Debian 12) signs with one algorithm for every key, RSA: with an Ed25519 key in its
 * KeyTable, every message of that domain is refused with a temporary error ("EVP_PKEY_get1_RSA()
 * failed"). Such keys are left out (the domain's mail goes out unsigned) and reported.
 * Throws when a key is not a private key at all.
 */
export function signableKey(domain: string, pem: string): boolean {
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch (err) {
    throw new Error(`DKIM key of ${domain} is not a readable private key: ${(err as Error).message}`);
  }
  return type === 'rsa';
}

/** `opendkim -n -x conf`: parses the configuration and exits. */
export async function opendkimCheck(opendkim: string, confFile: string): Promise<void> {
  const r = await runCommand(opendkim, ['-n', '-x', confFile]);
  if (r.code !== 0) throw new Error(`opendkim -n failed: ${oneLine(r) || `exit ${r.code}`}`);
}

/**
 * A running OpenDKIM re-reads its configuration and its file: data sets (KeyTable, SigningTable, keys)
 * on SIGUSR1, before its next message: no restart, so no window in which mail passes unsigned (a
 * stopping libmilter takes ~5 s to exit). A stopped one, or several, are (re)started.
 */
export async function reloadOpendkim(opendkim: string, confFile: string): Promise<'reloaded' | 'restarted' | 'started'> {
  const conf = await readOpendkimConf(confFile);
  const pids = await findProcessesByExe(opendkim);
  if (pids.length !== 1) return restartOpendkim(opendkim, confFile);
  process.kill(pids[0], 'SIGUSR1');
  const up = async () => (await isAlive(pids[0])) && (!conf.socket || tcpOpen(conf.socket.host, conf.socket.port));
  if (!(await up())) return restartOpendkim(opendkim, confFile);
  return 'reloaded';
}

/**
 * Stops every OpenDKIM and starts one. The old process must be really gone (not a zombie) before the
 * new one binds the socket, or the new one dies on "address in use".
 */
export async function restartOpendkim(opendkim: string, confFile: string): Promise<'restarted' | 'started'> {
  const conf = await readOpendkimConf(confFile);
  // The pid file may name an old process or none (another start raced us): also look for the program.
  const fromFile = conf.pidFile ? await readPidFile(conf.pidFile) : null;
  const pids = [...new Set([...(fromFile && (await isAlive(fromFile)) ? [fromFile] : []), ...(await findProcessesByExe(opendkim))])];
  const allGone = async () => (await Promise.all(pids.map(isAlive))).every((a) => !a);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  if (!(await waitUntil(allGone, 10_000))) {
    for (const pid of pids) if (await isAlive(pid)) process.kill(pid, 'SIGKILL');
    await waitUntil(allGone, 5_000);
  }
  if (conf.socket) {
    const { host, port } = conf.socket;
    if (!(await waitUntil(async () => !(await tcpOpen(host, port)), 5_000))) throw new Error(`${host}:${port} is still taken after stopping OpenDKIM`);
  }
  const r = await runCommand(opendkim, ['-x', confFile]);
  if (r.code !== 0) throw new Error(`opendkim start failed: ${oneLine(r) || `exit ${r.code}`}`);
  const started = async () => (conf.pidFile ? isAlive(await readPidFile(conf.pidFile)) : true) && (!conf.socket || tcpOpen(conf.socket.host, conf.socket.port));
  if (!(await waitUntil(started, 10_000))) throw new Error(`opendkim did not come up after a restart (its errors go to syslog)`);
  return pids.length ? 'restarted' : 'started';
}
