import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import autocannon, { type Instance, type Result } from 'autocannon';
import { MAIL_PASSWORD_SCHEMES, type MailPasswordScheme } from '#mailstack';
import { freePort, Proc, waitFor } from '../test/helpers/processes.js';
import { TestStack } from '../test/helpers/stack.js';
import { cpuMsOf, machineCpuMs, postgresCpuMs, setClockTicks } from './cpu.js';
import { num, table } from './format.js';
import { runAuditBench } from './audit.js';
import { runMailstackBench } from './mailstack.js';
import { runHashing } from './hashing.js';
import { abortMailboxBench, runMailboxes } from './mailboxes.js';

/**
 * `npm run bench`, three sections (all by default, or those named with --only):
 * - domains: req/s and p50/p99 latency of GET /api/v1/domains through the real gateway (API-key
 *   auth) and, in the same run, through a bare Fastify → NATS → pg baseline doing the same query;
 *   the gateway/baseline ratio.
 * - mailboxes: POST /api/v1/mailboxes and GET /api/v1/mailboxes pages/search p50/p99 with 1,000
 *   and with 100,000 mailboxes present (mailboxes.ts).
 * - hashing: hashes/s of each mailbox password scheme (hashing.ts).
 * - mailstack: reconcile duration with 100 and 100,000 mailboxes, and POST /mailboxes → IMAP login,
 *   against the real Postfix/Dovecot/OpenDKIM (scripts/mailstack.sh starts them) (mailstack.ts).
 * - audit: sequential PATCH /domains/{d} (the audit log reads the object before the write) beside
 *   GET /domains/{d} (audit.ts).
 * Prints the figures; it does not fail on them.
 */

const SECTIONS = ['domains', 'mailboxes', 'hashing', 'mailstack', 'audit'] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `usage: npm run bench -- [--only SECTIONS] [--log-level L] [domains options] [mailboxes options] [hashing options]
  --only SECTIONS  comma-separated: ${SECTIONS.join(', ')} (default all, in that order)
  --log-level L    the services' LOG_LEVEL (default info, the production default)
 domains (GET /api/v1/domains, gateway vs bare baseline):
  --connections N  concurrent HTTP connections (default 50)
  --duration S     measured seconds per target (default 10)
  --warmup S       unmeasured seconds per target before that (default 3)
  --cpu-prof DIR   write a V8 CPU profile of each server process, covering the measured runs, to DIR
 mailboxes (POST and GET /api/v1/mailboxes with N mailboxes present):
  --mailbox-counts LIST     mailbox counts to measure with (default 1000,100000)
  --creates N               measured creates per scheme and count (default 200)
  --create-concurrency N    creates in flight (default 4)
  --create-schemes LIST     MAILBOX_PASSWORD_SCHEME values to create with (default ARGON2ID,SSHA512; one of ${MAIL_PASSWORD_SCHEMES.join(', ')})
  --list-connections N      autocannon connections for the GETs (default 10)
  --list-duration S         measured seconds per GET (default 5)
  --list-warmup S           unmeasured seconds per GET before that (default 1)
 hashing (hashMailPassword of libs/mailstack, in this process):
  --hash-seconds S          measured seconds per scheme and concurrency (default 3)
 mailstack (real daemons; reconcile jobs and POST /mailboxes → IMAP login):
  --reconcile-counts LIST   mailbox counts to reconcile with (default 100,100000)
  --reconciles N            measured reconciles per count (default 5)
  --logins N                mailboxes created and logged into (default 20)
  --messages N              messages whose SMTP accept latency is measured (default 200)
 audit (the audit log's before-read on writes):
  --audit-writes N          measured PATCHes (and GETs) (default 400)`;

const DOMAIN_COUNT = 1000;
const PAGE_SIZE = 50;
const LIST_PATH = '/api/v1/domains';
const RATIO_TARGET = 0.7;
const BARE_GATEWAY_MAIN = fileURLToPath(new URL('./baseline/bare-gateway.js', import.meta.url));
const BARE_SERVICE_MAIN = fileURLToPath(new URL('./baseline/bare-service.js', import.meta.url));
/** Toggles the profiler in cpu-profile-preload.ts. */
const PROFILE_SIGNAL: NodeJS.Signals = 'SIGWINCH';
const PROFILER_PRELOAD = pathToFileURL(fileURLToPath(new URL('./cpu-profile-preload.js', import.meta.url))).href;

const execFileAsync = promisify(execFile);

interface Settings {
  connections: number;
  duration: number;
  warmup: number;
  logLevel: string;
  cpuProfDir?: string;
  only: Section[];
  mailboxCounts: number[];
  creates: number;
  createConcurrency: number;
  createSchemes: MailPasswordScheme[];
  listConnections: number;
  listDuration: number;
  listWarmup: number;
  hashSeconds: number;
  reconcileCounts: number[];
  reconciles: number;
  logins: number;
  messages: number;
  auditWrites: number;
}

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** [HTTP edge, service] */
  procs: [Proc, Proc];
}

interface Measurement {
  target: Target;
  result: Result;
  /** CPU milliseconds used during the measured window. */
  cpuMs: { edge: number; service: number; nats: number; postgres: number; loadGenerator: number; other: number };
  /** Share of the machine's CPU time (all cores) that was idle / stolen by the hypervisor during the window. */
  idlePct: number;
  stealPct: number;
}

function settingsFromArgs(): Settings {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      'log-level': { type: 'string', default: 'info' },
      'cpu-prof': { type: 'string' },
      only: { type: 'string', default: SECTIONS.join(',') },
      'mailbox-counts': { type: 'string', default: '1000,100000' },
      creates: { type: 'string', default: '200' },
      'create-concurrency': { type: 'string', default: '4' },
      'create-schemes': { type: 'string', default: 'ARGON2ID,SSHA512' },
      'list-connections': { type: 'string', default: '10' },
      'list-duration': { type: 'string', default: '5' },
      'list-warmup': { type: 'string', default: '1' },
      'hash-seconds': { type: 'string', default: '3' },
      'reconcile-counts': { type: 'string', default: '100,100000' },
      reconciles: { type: 'string', default: '5' },
      logins: { type: 'string', default: '20' },
      messages: { type: 'string', default: '200' },
      'audit-writes': { type: 'string', default: '400' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: string, raw: string, allowZero = false): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
      console.error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${raw}\n${USAGE}`);
      process.exit(2);
    }
    return n;
  };
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(values['log-level'])) {
    console.error(`--log-level must be one of ${levels.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  const list = <T extends string>(name: string, raw: string, allowed: readonly T[]): T[] => {
    const items = raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const bad = items.filter((v) => !allowed.includes(v as T));
    if (bad.length || items.length === 0) {
      console.error(`--${name}: ${bad.length ? `unknown ${bad.join(', ')}` : 'empty'}; choose from ${allowed.join(', ')}\n${USAGE}`);
      process.exit(2);
    }
    return [...new Set(items)] as T[];
  };
  const only = list('only', values.only, SECTIONS);
  return {
    only: SECTIONS.filter((x) => only.includes(x)),
    mailboxCounts: [...new Set(values['mailbox-counts'].split(',').map((v) => positive('mailbox-counts', v.trim())))],
    creates: positive('creates', values.creates),
    createConcurrency: positive('create-concurrency', values['create-concurrency']),
    createSchemes: list('create-schemes', values['create-schemes'], MAIL_PASSWORD_SCHEMES),
    listConnections: positive('list-connections', values['list-connections']),
    listDuration: positive('list-duration', values['list-duration']),
    listWarmup: positive('list-warmup', values['list-warmup'], true),
    hashSeconds: positive('hash-seconds', values['hash-seconds']),
    reconcileCounts: [...new Set(values['reconcile-counts'].split(',').map((v) => positive('reconcile-counts', v.trim())))].sort((a, b) => a - b),
    reconciles: positive('reconciles', values.reconciles),
    logins: positive('logins', values.logins),
    messages: positive('messages', values.messages),
    auditWrites: positive('audit-writes', values['audit-writes']),
    connections: positive('connections', values.connections),
    duration: positive('duration', values.duration),
    warmup: positive('warmup', values.warmup, true),
    logLevel: values['log-level'],
    cpuProfDir: values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined,
  };
}

async function rssMbOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return Number.NaN;
  try {
    const { stdout } = await execFileAsync('ps', ['-o', 'rss=', '-p', String(pid)]);
    return Number(stdout.trim()) / 1024;
  } catch {
    return Number.NaN;
  }
}

let current: Instance | undefined;

async function load(target: Target, s: Settings, duration: number): Promise<Result> {
  current = autocannon({ url: target.url, headers: target.headers, connections: s.connections, duration, title: target.name });
  try {
    return await current;
  } finally {
    current = undefined;
  }
}

function signalAll(procs: Proc[], signal: NodeJS.Signals): void {
  for (const p of procs) if (p.running) p.child.kill(signal);
}

async function measure(target: Target, s: Settings, natsPid: number | undefined): Promise<Measurement> {
  for (const p of target.procs) if (!p.running) throw new Error(`${p.name} is not running:\n${p.tail()}`);
  if (s.warmup > 0) {
    console.log(`[bench] ${target.name}: ${s.warmup} s warm-up`);
    await load(target, s, s.warmup);
  }
  console.log(`[bench] ${target.name}: measuring ${s.duration} s with ${s.connections} connections`);
  const [edge, service] = target.procs;
  const before = {
    edge: cpuMsOf(edge.child.pid),
    service: cpuMsOf(service.child.pid),
    nats: cpuMsOf(natsPid),
    postgres: postgresCpuMs(),
    self: process.cpuUsage(),
    machine: machineCpuMs(),
  };
  if (s.cpuProfDir) signalAll(target.procs, PROFILE_SIGNAL);
  const result = await load(target, s, s.duration);
  if (s.cpuProfDir) signalAll(target.procs, PROFILE_SIGNAL);
  for (const p of target.procs) if (!p.running) throw new Error(`${p.name} exited during the run:\n${p.tail()}`);
  const self = process.cpuUsage(before.self);
  const after = machineCpuMs();
  const machine = { busy: after.busy - before.machine.busy, idle: after.idle - before.machine.idle, steal: after.steal - before.machine.steal };
  const all = machine.busy + machine.idle + machine.steal;
  const cpuMs = {
    edge: cpuMsOf(edge.child.pid) - before.edge,
    service: cpuMsOf(service.child.pid) - before.service,
    nats: cpuMsOf(natsPid) - before.nats,
    postgres: postgresCpuMs() - before.postgres,
    loadGenerator: (self.user + self.system) / 1000,
    other: 0,
  };
  // The kernel's share not charged to a process (softirq: loopback networking) and anything else running.
  cpuMs.other = machine.busy - cpuMs.edge - cpuMs.service - cpuMs.nats - (Number.isNaN(cpuMs.postgres) ? 0 : cpuMs.postgres) - cpuMs.loadGenerator;
  return { target, result, cpuMs, idlePct: (100 * machine.idle) / all, stealPct: (100 * machine.steal) / all };
}

async function getJson(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text for the error message
  }
  return { status: res.status, body };
}

/** Both endpoints answer 200 with the same page: total 1000, 50 rows, same first row and fields. */
async function verify(targets: Target[]): Promise<void> {
  const pages: { name: string; rows: Record<string, unknown>[] }[] = [];
  for (const t of targets) {
    const { status, body } = await getJson(t.url, t.headers);
    const page = body as { data?: Record<string, unknown>[]; meta?: { total?: unknown } };
    const problems: string[] = [];
    if (status !== 200) problems.push(`status ${status}`);
    if (page?.meta?.total !== DOMAIN_COUNT) problems.push(`meta.total ${String(page?.meta?.total)} (want ${DOMAIN_COUNT})`);
    if (!Array.isArray(page?.data) || page.data.length !== PAGE_SIZE)
      problems.push(`${Array.isArray(page?.data) ? page.data.length : 'no'} rows (want ${PAGE_SIZE})`);
    if (problems.length) throw new Error(`${t.name} ${t.url}: ${problems.join(', ')}; body: ${JSON.stringify(body).slice(0, 500)}`);
    pages.push({ name: t.name, rows: page.data! });
  }
  const [a, b] = pages;
  const keys = (r: Record<string, unknown>) => Object.keys(r).sort().join(',');
  if (keys(a.rows[0]) !== keys(b.rows[0])) throw new Error(`row shapes differ: ${a.name} {${keys(a.rows[0])}} vs ${b.name} {${keys(b.rows[0])}}`);
  if (a.rows[0].name !== b.rows[0].name || a.rows[PAGE_SIZE - 1].name !== b.rows[PAGE_SIZE - 1].name) {
    throw new Error(`pages differ: ${a.name} ${String(a.rows[0].name)}…, ${b.name} ${String(b.rows[0].name)}…`);
  }
  console.log(
    `[bench] verified: both return 200, meta.total ${DOMAIN_COUNT}, ${PAGE_SIZE} rows (${String(a.rows[0].name)} … ${String(a.rows[PAGE_SIZE - 1].name)})`,
  );
}

async function insertDomains(stack: TestStack): Promise<void> {
  await stack.db.query(
    `INSERT INTO domains (tenant_id, name)
     SELECT a.tenant_id, 'bench-' || lpad(g::text, 4, '0') || '.example'
       FROM accounts a CROSS JOIN generate_series(1, $2::int) AS g
      WHERE a.email = $1`,
    [stack.admin.email, DOMAIN_COUNT],
  );
  const [{ n }] = await stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM domains`);
  if (Number(n) !== DOMAIN_COUNT) throw new Error(`expected ${DOMAIN_COUNT} domains after the insert, found ${n}`);
  await stack.db.query('ANALYZE domains');
  console.log(`[bench] inserted ${DOMAIN_COUNT} domains into ${stack.admin.email}'s tenant`);
}

function report(s: Settings, stack: TestStack, ms: Measurement[], rss: [string, number][]): void {
  const failures: string[] = [];
  const rows = ms.map(({ target, result: r }) => {
    const bad = r.non2xx + r.errors + r.timeouts;
    if (bad > 0) {
      const codes = Object.entries(r.statusCodeStats)
        .filter(([c]) => !c.startsWith('2'))
        .map(([c, v]) => `${c}×${v.count}`)
        .join(', ');
      failures.push(`${target.name}: ${r.non2xx} non-2xx${codes ? ` (${codes})` : ''}, ${r.errors} errors, ${r.timeouts} timeouts`);
    }
    return [
      target.name,
      num(r.requests.average),
      num(r.latency.p50, 0),
      num(r.latency.p99, 0),
      String(r['2xx']),
      String(r.non2xx),
      String(r.errors),
      String(r.timeouts),
    ];
  });
  const cpuRows = ms.map(({ target, result: r, cpuMs, idlePct, stealPct }) => {
    const done = r['2xx'] + r.non2xx || 1;
    const per = (v: number) => num((v * 1000) / done, 0);
    return [
      target.name,
      per(cpuMs.edge),
      per(cpuMs.service),
      per(cpuMs.nats),
      per(cpuMs.postgres),
      per(cpuMs.other),
      per(cpuMs.loadGenerator),
      num(idlePct, 0),
      num(stealPct, 0),
    ];
  });

  const [gw, base] = ms;
  const ratio = gw.result.requests.average / base.result.requests.average;
  const out = [
    '',
    `=== GET ${LIST_PATH}: ${DOMAIN_COUNT} domains, page of ${PAGE_SIZE}; ${s.connections} connections, ${s.duration} s measured after ${s.warmup} s warm-up, one target after the other ===`,
    `gateway : real gateway (Nest + Fastify) → NATS → domain-service (Nest + TypeORM) → pg; API-key auth (X-API-Key, auth cache ${stack.env.AUTH_CACHE_TTL_MS} ms);`,
    `          LOG_LEVEL=${s.logLevel}${s.logLevel === 'info' ? ' (production default: one request log line per request)' : ''}; DATABASE_POOL_SIZE=${stack.env.DATABASE_POOL_SIZE}`,
    `baseline: bare Fastify → raw NATS request → raw subscriber → pg Pool(${stack.env.DATABASE_POOL_SIZE}), same SQL and reply shape; no auth, no logging`,
    '',
    table(['target', 'req/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'timeouts'], rows),
    '',
    'CPU time per request (µs) in the measured window. postgres = all local postgres processes; other = machine busy time',
    'not charged to those (kernel softirq for loopback TCP, other programs); idle/steal = % of all cores idle / stolen by the hypervisor:',
    table(['target', 'edge', 'service', 'nats-server', 'postgres', 'other', 'autocannon', 'idle %', 'steal %'], cpuRows),
    '',
    `RSS after the runs (MB): ${rss.map(([n, v]) => `${n} ${num(v)}`).join(', ')}`,
  ];
  for (const { target, cpuMs } of ms) {
    const busy = cpuMs.edge + cpuMs.service + cpuMs.nats + (Number.isNaN(cpuMs.postgres) ? 0 : cpuMs.postgres) + cpuMs.loadGenerator + cpuMs.other;
    const share = cpuMs.other / busy;
    if (share > 0.1)
      out.push(
        `WARNING: ${(100 * share).toFixed(0)}% of the busy CPU time in the ${target.name} run was not the bench's own processes (other programs running?); the figures are noisy, rerun on a quiet machine.`,
      );
  }
  if (s.cpuProfDir) out.push('(CPU profiling was on: every figure above includes the profiler overhead)');
  console.log(out.join('\n'));
  if (failures.length) {
    const banner = '!'.repeat(78);
    const msg = [banner, '!!! FAILED REQUESTS DURING THE MEASURED RUN — figures are not comparable:', ...failures.map((f) => `!!!   ${f}`), banner].join('\n');
    console.log(msg);
  }
  console.log(`gateway/baseline req/s ratio: ${num(ratio, 2)} (target ≥ ${RATIO_TARGET.toFixed(2)})${ratio < RATIO_TARGET ? ' — BELOW TARGET' : ''}`);
}

async function main(): Promise<void> {
  const s = settingsFromArgs();
  setClockTicks(Number((await execFileAsync('getconf', ['CLK_TCK']).catch(() => ({ stdout: '100' }))).stdout.trim()) || 100);
  if (s.cpuProfDir) {
    mkdirSync(s.cpuProfDir, { recursive: true });
    // Inherited by every process started below (TestStack copies process.env).
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${PROFILER_PRELOAD}`.trim();
    process.env.BENCH_CPU_PROF_DIR = s.cpuProfDir;
  }

  // Whatever is running now, for the signal handler and each section's clean-up.
  let stack: TestStack | undefined;
  const baseline: Proc[] = [];
  const stopRunning = async () => {
    current?.stop();
    await Promise.allSettled(baseline.splice(0).map((p) => p.stop()));
    const st = stack;
    stack = undefined;
    await st?.stop();
  };
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`[bench] ${signal}: stopping everything`);
    abortMailboxBench();
    void (stopping ??= stopRunning()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const started = performance.now();
  const timings: string[] = [];
  for (const section of s.only) {
    if (stopping) break;
    const t0 = performance.now();
    try {
      if (section === 'domains') {
        await benchDomains(s, (st) => (stack = st), baseline);
      } else if (section === 'mailboxes') {
        await runMailboxes(
          {
            counts: s.mailboxCounts,
            creates: s.creates,
            createConcurrency: s.createConcurrency,
            createSchemes: s.createSchemes,
            listConnections: s.listConnections,
            listDuration: s.listDuration,
            listWarmup: s.listWarmup,
            domains: 10,
            logLevel: s.logLevel,
          },
          (st) => (stack = st),
        );
      } else if (section === 'hashing') {
        await runHashing({ seconds: s.hashSeconds });
      } else if (section === 'audit') {
        await runAuditBench({ writes: s.auditWrites, logLevel: s.logLevel }, (st) => (stack = st));
      } else {
        await runMailstackBench(
          { counts: s.reconcileCounts, reconciles: s.reconciles, logins: s.logins, messages: s.messages, logLevel: s.logLevel },
          (st) => (stack = st),
        );
      }
    } catch (err) {
      console.error(`[bench] ${section} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (stack) {
        console.error(
          `--- gateway\n${stack.gateway.tail()}\n--- domain-service\n${stack.domainService.tail()}\n--- mailbox-service\n${stack.mailboxService.tail()}`,
        );
      }
      process.exitCode = 1;
    } finally {
      if (!stopping) await stopRunning();
    }
    timings.push(`${section} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`\n[bench] done in ${((performance.now() - started) / 1000).toFixed(0)} s (${timings.join(', ')})`);
}

/** The domains section: gateway vs bare baseline on GET /api/v1/domains. */
async function benchDomains(s: Settings, onStack: (stack: TestStack) => void, baseline: Proc[]): Promise<void> {
  console.log(`[bench] starting the stack (gateway LOG_LEVEL=${s.logLevel})`);
  const stack = await TestStack.start('bench', { logLevel: s.logLevel });
  onStack(stack);
  await insertDomains(stack);

  const port = await freePort();
  // The baseline is bare NATS: a server of its own without users, since the stack's bus lets no
  // client outside the catalog's apps in.
  const natsPort = await freePort();
  const bareNats = new Proc('bare-nats', process.env.NATS_SERVER_BIN ?? 'nats-server', ['-a', '127.0.0.1', '-p', String(natsPort)], process.env);
  baseline.push(bareNats);
  await waitFor('bare-nats', async () => {
    if (!bareNats.running) throw new Error(`bare nats-server exited:\n${bareNats.tail()}`);
    return bareNats.output.join('').includes('Server is ready');
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATS_URL: `nats://127.0.0.1:${natsPort}`,
    DATABASE_URL: stack.db.url,
    DATABASE_POOL_SIZE: stack.env.DATABASE_POOL_SIZE,
    BENCH_PORT: String(port),
  };
  const bareService = new Proc('bare-service', process.execPath, [BARE_SERVICE_MAIN], env);
  baseline.push(bareService);
  await waitFor('bare-service', async () => {
    if (!bareService.running) throw new Error(`bare-service exited:\n${bareService.tail()}`);
    return bareService.output.join('').includes('listening');
  });
  const bareGateway = new Proc('bare-gateway', process.execPath, [BARE_GATEWAY_MAIN], env);
  baseline.push(bareGateway);
  await waitFor('bare-gateway', async () => {
    if (!bareGateway.running) throw new Error(`bare-gateway exited:\n${bareGateway.tail()}`);
    return bareGateway.output.join('').includes('listening');
  });

  const targets: Target[] = [
    { name: 'gateway', url: `${stack.baseUrl}${LIST_PATH}`, headers: { 'x-api-key': stack.admin.apiKey }, procs: [stack.gateway, stack.domainService] },
    { name: 'baseline', url: `http://127.0.0.1:${port}${LIST_PATH}`, headers: {}, procs: [bareGateway, bareService] },
  ];
  await verify(targets);

  const natsPid = stack.nats.proc?.child.pid;
  const measurements: Measurement[] = [];
  for (const t of targets) measurements.push(await measure(t, s, natsPid));

  const rss: [string, number][] = [];
  for (const p of [stack.gateway, stack.domainService, bareGateway, bareService]) rss.push([p.name, await rssMbOf(p.child.pid)]);
  report(s, stack, measurements, rss);
  if (s.cpuProfDir) {
    await new Promise((r) => setTimeout(r, 500)); // let the profilers write
    console.log(`[bench] CPU profiles in ${s.cpuProfDir}`);
  }
}

await main();
