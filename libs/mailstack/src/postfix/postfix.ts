import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../exec/command-runner.js';
import { normalizeValue, parsePostconf, RECONCILED_MAIN_CF_PARAMS } from './main-cf.renderer.js';

export interface PostfixBinaries {
  postfix: string;
  postconf: string;
  postmap: string | null;
}

/** A message a Postfix command printed, made one line (the reason a failed reconcile reports). */
function message(r: { stdout: string; stderr: string }): string {
  return `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
}

const TLS_PARAMS = ['smtpd_tls_cert_file', 'smtpd_tls_key_file', 'smtpd_tls_security_level'] as const;
/** The node's own STARTTLS parameters, saved the first time the API's certificate replaced them. */
const TLS_BASE_FILE = 'mailplane-tls-base.json';

/**
 * While the global tier names no certificate, the node's own TLS parameters (its base config, e.g.
 * the mail-node image's certificate) stay in force: reconcile never strips them. When the API's pair
 * replaces them, they are saved once, and restored when the API's pair is removed again.
 */
function withNodeTls(dir: string, wanted: Record<string, string>, current: Map<string, string>): Record<string, string | null> {
  const file = join(dir, TLS_BASE_FILE);
  const out: Record<string, string | null> = { ...wanted };
  if ('smtpd_tls_cert_file' in wanted) {
    if (!existsSync(file)) writeFileSync(file, JSON.stringify(Object.fromEntries(TLS_PARAMS.map((k) => [k, current.get(k) ?? null]))), { mode: 0o600 });
    return out;
  }
  const base = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | null>) : null;
  for (const k of TLS_PARAMS) out[k] = base ? (base[k] ?? null) : (current.get(k) ?? null);
  return out;
}

/**
 * Sets the wanted main.cf parameters with `postconf -c <dir> -e` (only those whose value differs) and
 * removes owned parameters no longer wanted with `-X`. Returns the names it changed.
 */
export async function applyMainCf(bin: PostfixBinaries, dir: string, requested: Record<string, string>): Promise<string[]> {
  const cur = await runCommand(bin.postconf, ['-c', dir, '-n']);
  if (cur.code !== 0) throw new Error(`postconf -n: ${message(cur)}`);
  const current = parsePostconf(cur.stdout);
  const target = withNodeTls(dir, requested, current);
  const wanted = Object.fromEntries(Object.entries(target).filter((e): e is [string, string] => e[1] !== null));
  const set = Object.entries(wanted).filter(([k, v]) => current.get(k) !== normalizeValue(v));
  const drop = RECONCILED_MAIN_CF_PARAMS.filter((k) => !(k in wanted) && current.has(k));
  if (set.length) {
    const r = await runCommand(bin.postconf, ['-c', dir, '-e', ...set.map(([k, v]) => `${k} = ${v}`)]);
    if (r.code !== 0) throw new Error(`postconf -e: ${message(r)}`);
  }
  if (drop.length) {
    const r = await runCommand(bin.postconf, ['-c', dir, '-X', ...drop]);
    if (r.code !== 0) throw new Error(`postconf -X: ${message(r)}`);
  }
  return [...set.map(([k]) => k), ...drop];
}

/** The smtpd services of master.cf (`name/inet` entries running smtpd), e.g. `127.0.0.1:2525/inet`. */
export async function smtpdServices(bin: PostfixBinaries, dir: string): Promise<{ service: string; processLimit: string }[]> {
  const r = await runCommand(bin.postconf, ['-c', dir, '-F']);
  if (r.code !== 0) throw new Error(`postconf -F: ${message(r)}`);
  const fields = parsePostconf(r.stdout);
  const out: { service: string; processLimit: string }[] = [];
  for (const [key, value] of fields) {
    const m = /^(.+)\/inet\/command$/.exec(key);
    if (m && /^smtpd(\s|$)/.test(value)) out.push({ service: `${m[1]}/inet`, processLimit: fields.get(`${m[1]}/inet/process_limit`) ?? '-' });
  }
  return out;
}

/** Sets the process limit of every smtpd service in master.cf; returns the services it changed. */
export async function applySmtpdProcessLimit(bin: PostfixBinaries, dir: string, limit: string): Promise<string[]> {
  const changed: string[] = [];
  for (const s of await smtpdServices(bin, dir)) {
    if (s.processLimit === limit) continue;
    const r = await runCommand(bin.postconf, ['-c', dir, '-F', `${s.service}/process_limit = ${limit}`]);
    if (r.code !== 0) throw new Error(`postconf -F: ${message(r)}`);
    changed.push(s.service);
  }
  return changed;
}

/** master.cf transports reconcile owns: one smtp client per outgoing address (`mp-out-192-0-2-10`). */
export const OUTGOING_TRANSPORT_PREFIX = 'mp-out-';
export const outgoingTransportName = (ip: string) => `${OUTGOING_TRANSPORT_PREFIX}${ip.toLowerCase().replace(/[.:]/g, '-')}`;

/** The master.cf line of an outgoing transport: Postfix's smtp client bound to `ip`. */
export function outgoingTransportEntry(ip: string): string {
  if (!/^[0-9a-fA-F.:]+$/.test(ip)) throw new Error(`outgoing_ip ${JSON.stringify(ip)} is not an IP address`);
  const name = outgoingTransportName(ip);
  const bind = ip.includes(':') ? 'smtp_bind_address6' : 'smtp_bind_address';
  return `${name} unix - - n - - smtp -o ${bind}=${ip} -o syslog_name=postfix/${name}`;
}

/**
 * Makes the outgoing transports of master.cf exactly those of `ips` (postconf -M to add or change, -MX to
 * remove stale ones). Returns the services it changed.
 */
export async function applyOutgoingTransports(bin: PostfixBinaries, dir: string, ips: readonly string[]): Promise<string[]> {
  const r = await runCommand(bin.postconf, ['-c', dir, '-M']);
  if (r.code !== 0) throw new Error(`postconf -M: ${message(r)}`);
  const current = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [name, type] = line.trim().split(/\s+/);
    if (name?.startsWith(OUTGOING_TRANSPORT_PREFIX) && type === 'unix') current.set(name, normalizeValue(line));
  }
  const wanted = new Map([...new Set(ips)].map((ip) => [outgoingTransportName(ip), outgoingTransportEntry(ip)]));
  const changed: string[] = [];
  for (const [name, entry] of wanted) {
    if (current.get(name) === normalizeValue(entry)) continue;
    const set = await runCommand(bin.postconf, ['-c', dir, '-M', `${name}/unix=${entry}`]);
    if (set.code !== 0) throw new Error(`postconf -M ${name}: ${message(set)}`);
    changed.push(`${name}/unix`);
  }
  for (const name of current.keys()) {
    if (wanted.has(name)) continue;
    const drop = await runCommand(bin.postconf, ['-c', dir, '-MX', `${name}/unix`]);
    if (drop.code !== 0) throw new Error(`postconf -MX ${name}: ${message(drop)}`);
    changed.push(`${name}/unix`);
  }
  return changed;
}

/** The nexthop part of default_transport (`smtp:[relay]:25` → `[relay]:25`; plain `smtp` → ''). */
export async function defaultNexthop(bin: PostfixBinaries, dir: string): Promise<string> {
  const r = await runCommand(bin.postconf, ['-c', dir, '-h', 'default_transport']);
  if (r.code !== 0) throw new Error(`postconf -h default_transport: ${message(r)}`);
  const value = r.stdout.trim();
  const i = value.indexOf(':');
  return i < 0 ? '' : value.slice(i + 1);
}

/** `postfix check`: a non-zero exit or a fatal message is a failure; the message is the reason. */
export async function postfixCheck(bin: PostfixBinaries, dir: string): Promise<void> {
  const r = await runCommand(bin.postfix, ['-c', dir, 'check']);
  const text = message(r);
  if (r.code !== 0 || /fatal|error:/i.test(text)) throw new Error(`postfix check failed: ${text || `exit ${r.code}`}`);
}

/**
 * Looks a key up through a rendered pgsql map: proves the map reaches the database and its query
 * runs. postmap exits 1 for "not found" (fine) and reports connection or query errors as warnings.
 */
export async function probePgsqlMap(bin: PostfixBinaries, dir: string, mapFile: string): Promise<void> {
  if (!bin.postmap) return;
  const r = await runCommand(bin.postmap, ['-c', dir, '-q', 'mailplane-probe.invalid', `pgsql:${mapFile}`]);
  const text = message(r);
  if (r.code > 1 || /warning|fatal|error/i.test(text)) throw new Error(`postmap -q pgsql:${mapFile} failed: ${text || `exit ${r.code}`}`);
}

export async function postfixRunning(bin: PostfixBinaries, dir: string): Promise<boolean> {
  return (await runCommand(bin.postfix, ['-c', dir, 'status'])).code === 0;
}

/** Reloads a running Postfix, or starts a stopped one. Returns what it did. */
export async function reloadPostfix(bin: PostfixBinaries, dir: string): Promise<'reloaded' | 'started'> {
  const running = await postfixRunning(bin, dir);
  const r = await runCommand(bin.postfix, ['-c', dir, running ? 'reload' : 'start']);
  if (r.code !== 0) throw new Error(`postfix ${running ? 'reload' : 'start'} failed: ${message(r)}`);
  return running ? 'reloaded' : 'started';
}

export const mainCfPath = (dir: string) => join(dir, 'main.cf');
export const masterCfPath = (dir: string) => join(dir, 'master.cf');

/**
 * Postfix re-reads a configuration file while its mtime is within a second of "now" (it guards
 * against reading a file mid-write), dozing 300 ms at a time: every command after an edit then
 * stalls ~2 s. Our edits are complete (postconf renames its temp file into place; restores are
 * atomic too), so dating the file two seconds back is safe and makes check/reload immediate.
 */
export async function coolDown(files: string[]): Promise<void> {
  const past = new Date(Date.now() - 2000);
  for (const f of files) await utimes(f, past, past).catch(() => undefined);
}
