import { performance } from 'node:perf_hooks';
import autocannon, { type Instance, type Result } from 'autocannon';
import { hashMailPassword, type MailPasswordScheme } from '#mailstack';
import { MAILBOX_SERVICE_MAIN } from '../test/helpers/paths.js';
import { Proc, waitFor } from '../test/helpers/processes.js';
import { TestStack } from '../test/helpers/stack.js';
import { otherCpuMeter } from './cpu.js';
import { countLabel, num, percentile, table } from './format.js';

/**
 * Mailboxes section of `npm run bench`: in one stack, with N mailboxes present for each N of
 * `counts` (bulk-inserted with SQL), the latency of POST /api/v1/mailboxes (per password scheme;
 * mailbox-service is restarted with MAILBOX_PASSWORD_SCHEME to switch) and p50/p99 and req/s of
 * GET /api/v1/mailboxes pages and a search. The goal is that neither grows with N.
 */

export interface MailboxBenchSettings {
  counts: number[];
  /** Measured creates per scheme and count. */
  creates: number;
  createConcurrency: number;
  createSchemes: MailPasswordScheme[];
  listConnections: number;
  listDuration: number;
  listWarmup: number;
  domains: number;
  logLevel: string;
}

const PAGE_SIZE = 50;
const LIST_PATH = '/api/v1/mailboxes';
const PASSWORD = 'Bench-Pass-2024!x';
/** Matches user-000040 … user-000049: ten rows whatever the count. */
const SEARCH = 'user-00004';
const SEARCH_HITS = 10;
const DOMAIN_PREFIX = 'mbx-bench-';

interface ListTarget {
  name: string;
  path: string;
  total: number;
  rows: number;
}

interface CpuNoise {
  /** % of the machine's busy CPU that went to programs other than the stack, postgres and the bench. */
  otherPct: number;
  idlePct: number;
}

interface ListFigures {
  result: Result;
  cpu: CpuNoise;
}

interface CreateFigures {
  latencies: number[];
  wallMs: number;
  failures: string[];
  cpu: CpuNoise;
}

interface Level {
  count: number;
  lists: Map<string, ListFigures>;
  creates: Map<MailPasswordScheme, CreateFigures>;
}

let current: Instance | undefined;
let stopping = false;

/** For the SIGINT handler: stop the load generator now. */
export function abortMailboxBench(): void {
  stopping = true;
  current?.stop();
}

class MailboxBench {
  private scheme: MailPasswordScheme;
  private domains: { id: string; name: string }[] = [];
  private readonly headers: Record<string, string>;
  private created = 0;

  constructor(
    private readonly stack: TestStack,
    private readonly s: MailboxBenchSettings,
    initialScheme: MailPasswordScheme,
  ) {
    this.scheme = initialScheme;
    this.headers = { 'x-api-key': stack.admin.apiKey };
  }

  async createDomains(): Promise<void> {
    for (let k = 0; k < this.s.domains; k++) {
      const name = `${DOMAIN_PREFIX}${String(k).padStart(2, '0')}.example`;
      const res = await fetch(`${this.stack.baseUrl}/api/v1/domains`, {
        method: 'POST',
        headers: { ...this.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      const body = (await res.json()) as { id?: string; name?: string };
      if (res.status !== 201 || !body.id) throw new Error(`POST /api/v1/domains ${name}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      this.domains.push({ id: body.id, name });
    }
    console.log(`[bench] created ${this.domains.length} domains via the API (${this.domains[0].name} …)`);
  }

  async count(): Promise<number> {
    const [{ n }] = await this.stack.db.query<{ n: string }>(`SELECT count(*) AS n FROM mailboxes`);
    return Number(n);
  }

  /**
   * Inserts mailboxes user-<from>…user-<to> (zero-padded to 6 digits), round-robin over the bench
   * domains, each with the same precomputed hash, and claims their addresses in mail_addresses.
   */
  async bulkInsert(from: number, to: number, passwordHash: string): Promise<void> {
    const t0 = performance.now();
    await this.stack.db.query(
      `WITH d AS (
         SELECT id, tenant_id, name, (row_number() OVER (ORDER BY name) - 1)::int AS k, count(*) OVER ()::int AS n
           FROM domains WHERE name LIKE $4),
       g AS (SELECT g, gen_random_uuid() AS id, 'user-' || lpad(g::text, 6, '0') AS local FROM generate_series($1::int, $2::int) AS g),
       ins AS (
         INSERT INTO mailboxes (id, tenant_id, domain_id, local_part, address, password_hash)
         SELECT g.id, d.tenant_id, d.id, g.local, g.local || '@' || d.name, $3
           FROM g JOIN d ON d.k = g.g % d.n
         RETURNING id, address)
       INSERT INTO mail_addresses (address, owner_kind, owner_id) SELECT address, 'mailbox', id FROM ins`,
      [from, to, passwordHash, `${DOMAIN_PREFIX}%`],
    );
    await this.stack.db.query('VACUUM ANALYZE mailboxes');
    await this.stack.db.query('VACUUM ANALYZE mail_addresses');
    console.log(`[bench] inserted ${to - from + 1} mailboxes with SQL in ${num((performance.now() - t0) / 1000, 1)} s (incl. VACUUM ANALYZE)`);
  }

  async restartMailboxService(scheme: MailPasswordScheme): Promise<void> {
    if (scheme === this.scheme) return;
    const t0 = performance.now();
    await this.stack.mailboxService.stop();
    const env = { ...this.stack.appEnv('mailbox-service'), HEALTH_PORT: '0', MAILBOX_PASSWORD_SCHEME: scheme };
    const proc = new Proc('mailbox-service', process.execPath, [MAILBOX_SERVICE_MAIN], env);
    this.stack.mailboxService = proc;
    await waitFor(`mailbox-service with ${scheme}`, async () => {
      if (!proc.running) throw new Error(`mailbox-service exited:\n${proc.tail()}`);
      const res = await fetch(`${this.stack.baseUrl}${LIST_PATH}?limit=1`, { headers: this.headers });
      await res.arrayBuffer();
      return res.status === 200;
    });
    this.scheme = scheme;
    console.log(`[bench] restarted mailbox-service with MAILBOX_PASSWORD_SCHEME=${scheme} (${num((performance.now() - t0) / 1000, 1)} s)`);
  }

  listTargets(count: number): ListTarget[] {
    const last = Math.ceil(count / PAGE_SIZE);
    const q = (page: number) => `${LIST_PATH}?page=${page}&limit=${PAGE_SIZE}`;
    const targets: ListTarget[] = [
      { name: 'page 1', path: q(1), total: count, rows: Math.min(PAGE_SIZE, count) },
      {
        name: `page ${Math.ceil(1000 / PAGE_SIZE)} (offset ${1000 - PAGE_SIZE})`,
        path: q(Math.ceil(1000 / PAGE_SIZE)),
        total: count,
        rows: count >= 1000 ? PAGE_SIZE : 0,
      },
      { name: 'last page', path: q(last), total: count, rows: count - (last - 1) * PAGE_SIZE },
      { name: `search=${SEARCH}`, path: `${LIST_PATH}?page=1&limit=${PAGE_SIZE}&search=${SEARCH}`, total: SEARCH_HITS, rows: SEARCH_HITS },
    ];
    return targets;
  }

  async verifyList(t: ListTarget): Promise<void> {
    const res = await fetch(`${this.stack.baseUrl}${t.path}`, { headers: this.headers });
    const body = (await res.json()) as { data?: unknown[]; meta?: { total?: number } };
    if (res.status !== 200 || body.meta?.total !== t.total || body.data?.length !== t.rows) {
      throw new Error(`GET ${t.path}: ${res.status}, meta.total ${body.meta?.total} (want ${t.total}), ${body.data?.length} rows (want ${t.rows})`);
    }
  }

  async load(t: ListTarget, duration: number): Promise<Result> {
    if (stopping) throw new Error('stopped');
    current = autocannon({ url: `${this.stack.baseUrl}${t.path}`, headers: this.headers, connections: this.s.listConnections, duration, title: t.name });
    try {
      return await current;
    } finally {
      current = undefined;
    }
  }

  private meter(): () => CpuNoise {
    const st = this.stack;
    return otherCpuMeter(() => [st.gateway.child.pid, st.domainService.child.pid, st.mailboxService.child.pid, st.nats.proc?.child.pid]);
  }

  async measureList(t: ListTarget): Promise<ListFigures> {
    await this.verifyList(t);
    if (this.s.listWarmup > 0) await this.load(t, this.s.listWarmup);
    const done = this.meter();
    const result = await this.load(t, this.s.listDuration);
    const cpu = done();
    console.log(
      `[bench]   GET ${t.path}: p50 ${num(result.latency.p50, 0)} ms, p99 ${num(result.latency.p99, 0)} ms, ${num(result.requests.average, 0)} req/s`,
    );
    return { result, cpu };
  }

  private async createOne(local: string): Promise<{ ms: number; failure?: string }> {
    const domain = this.domains[this.created++ % this.domains.length];
    const t0 = performance.now();
    const res = await fetch(`${this.stack.baseUrl}${LIST_PATH}`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ username: `${local}@${domain.name}`, password: PASSWORD }),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    return res.status === 201 ? { ms } : { ms, failure: `${res.status} ${text.slice(0, 200)}` };
  }

  /** `n` creates, `concurrency` at a time; a short unmeasured warm-up first. */
  async measureCreates(tag: string): Promise<CreateFigures> {
    const run = async (prefix: string, n: number): Promise<CreateFigures> => {
      const done = this.meter();
      const latencies: number[] = [];
      const failures: string[] = [];
      let next = 0;
      const t0 = performance.now();
      const worker = async () => {
        for (let i = next++; i < n && !stopping; i = next++) {
          const r = await this.createOne(`${prefix}-${String(i).padStart(4, '0')}`);
          if (r.failure) failures.push(r.failure);
          else latencies.push(r.ms);
        }
      };
      await Promise.all(Array.from({ length: this.s.createConcurrency }, worker));
      const wallMs = performance.now() - t0;
      return { latencies, wallMs, failures, cpu: done() };
    };
    await run(`warm-${tag}`, 2 * this.s.createConcurrency);
    const figures = await run(`new-${tag}`, this.s.creates);
    // The hash stored must be the scheme the service was started with.
    const [row] = await this.stack.db.query<{ password_hash: string }>(`SELECT password_hash FROM mailboxes WHERE local_part LIKE $1 LIMIT 1`, [
      `new-${tag}-%`,
    ]);
    if (!row?.password_hash.startsWith(`{${this.scheme}}`))
      throw new Error(`created mailboxes carry ${row?.password_hash.slice(0, 20)}…, not {${this.scheme}}`);
    const f = figures;
    console.log(
      `[bench]   POST ${LIST_PATH} (${this.scheme}): ${f.latencies.length} created, p50 ${num(percentile(f.latencies, 0.5))} ms, ` +
        `p99 ${num(percentile(f.latencies, 0.99))} ms, ${num((1000 * f.latencies.length) / f.wallMs)} creates/s${f.failures.length ? `, ${f.failures.length} FAILED` : ''}`,
    );
    return figures;
  }
}

export async function runMailboxes(s: MailboxBenchSettings, onStack: (stack: TestStack) => void): Promise<void> {
  const counts = [...s.counts].sort((a, b) => a - b);
  const initialScheme = s.createSchemes[0] ?? 'ARGON2ID';
  console.log(`[bench] mailboxes: computing the shared password hash for the bulk rows (ARGON2ID, hashMailPassword)`);
  const sharedHash = await hashMailPassword(PASSWORD, 'ARGON2ID');

  console.log(`[bench] mailboxes: starting a stack (LOG_LEVEL=${s.logLevel}, MAILBOX_PASSWORD_SCHEME=${initialScheme})`);
  const saved = process.env.MAILBOX_PASSWORD_SCHEME;
  process.env.MAILBOX_PASSWORD_SCHEME = initialScheme; // TestStack copies process.env
  let stack: TestStack;
  try {
    stack = await TestStack.start('bench_mbx', { logLevel: s.logLevel });
  } finally {
    if (saved === undefined) delete process.env.MAILBOX_PASSWORD_SCHEME;
    else process.env.MAILBOX_PASSWORD_SCHEME = saved;
  }
  onStack(stack);
  const bench = new MailboxBench(stack, s, initialScheme);
  await bench.createDomains();

  const levels: Level[] = [];
  let schemes = [...s.createSchemes];
  for (const count of counts) {
    const have = await bench.count();
    if (have > count) throw new Error(`${have} mailboxes present already, cannot measure with ${count}`);
    if (have < count) {
      // Numbers continue after the rows already bulk-inserted.
      const [{ max }] = await stack.db.query<{ max: number | null }>(
        `SELECT max(substr(local_part, 6)::int) AS max FROM mailboxes WHERE local_part LIKE 'user-%'`,
      );
      const from = (max ?? 0) + 1;
      await bench.bulkInsert(from, from + (count - have) - 1, sharedHash);
    }
    const present = await bench.count();
    console.log(
      `[bench] mailboxes: ${present} present; measuring lists, ${s.listConnections} connections, ${s.listDuration} s each after ${s.listWarmup} s warm-up`,
    );
    const level: Level = { count: present, lists: new Map(), creates: new Map() };
    for (const t of bench.listTargets(present)) level.lists.set(t.name, await bench.measureList(t));
    console.log(`[bench] mailboxes: ${present} present; ${s.creates} creates per scheme, ${s.createConcurrency} at a time`);
    for (const scheme of schemes) {
      await bench.restartMailboxService(scheme);
      level.creates.set(scheme, await bench.measureCreates(`${countLabel(count)}-${scheme.toLowerCase()}`));
    }
    levels.push(level);
    schemes = [...schemes].reverse(); // the scheme now running goes first: one restart per level
  }
  report(s, levels, stack);
}

function report(s: MailboxBenchSettings, levels: Level[], stack: TestStack): void {
  const first = levels[0];
  const lastLevel = levels[levels.length - 1];
  const labels = levels.map((l) => countLabel(l.count));
  const noise = (cpus: (CpuNoise | undefined)[]) => cpus.map((c) => (c ? num(c.otherPct, 0) : 'n/a')).join(' / ');
  const noisy = (what: string, l: Level, c: CpuNoise) => {
    if (c.otherPct > 10 && c.idlePct < 10) warnings.push(`${what} @${countLabel(l.count)}: ${num(c.otherPct, 0)}% of the busy CPU went to other programs`);
  };
  const warnings: string[] = [];
  const growth = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && a > 0 ? `×${num(b / a, 2)}` : 'n/a');
  const failures: string[] = [];

  const listHeader = [
    'GET /api/v1/mailboxes',
    ...levels.flatMap((_, i) => [`p50 ms @${labels[i]}`, `p99 ms @${labels[i]}`, `req/s @${labels[i]}`]),
    `p50 ${labels[labels.length - 1]}/${labels[0]}`,
    `other CPU % ${labels.join('/')}`,
  ];
  const listRows = [...first.lists.keys()].map((name) => {
    const cells = levels.flatMap((l) => {
      const r = l.lists.get(name)?.result;
      if (!r) return ['n/a', 'n/a', 'n/a'];
      const bad = r.non2xx + r.errors + r.timeouts;
      if (bad) failures.push(`GET ${name} @${countLabel(l.count)}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
      noisy(`GET ${name}`, l, l.lists.get(name)!.cpu);
      return [num(r.latency.p50, 0), num(r.latency.p99, 0), num(r.requests.average, 0)];
    });
    return [
      name,
      ...cells,
      growth(first.lists.get(name)!.result.latency.p50, lastLevel.lists.get(name)?.result.latency.p50 ?? Number.NaN),
      noise(levels.map((l) => l.lists.get(name)?.cpu)),
    ];
  });
  // The last page's offset is different at each count: name it per count.
  const lastIdx = listRows.findIndex((r) => r[0] === 'last page');
  if (lastIdx >= 0) listRows[lastIdx][0] = `last page (page ${levels.map((l) => Math.ceil(l.count / PAGE_SIZE)).join(' / ')})`;

  const createHeader = [
    'POST /api/v1/mailboxes',
    ...levels.flatMap((_, i) => [`p50 ms @${labels[i]}`, `p99 ms @${labels[i]}`, `creates/s @${labels[i]}`]),
    `p50 ${labels[labels.length - 1]}/${labels[0]}`,
    `other CPU % ${labels.join('/')}`,
  ];
  const createRows = s.createSchemes.map((scheme) => {
    const cells = levels.flatMap((l) => {
      const f = l.creates.get(scheme);
      if (!f) return ['n/a', 'n/a', 'n/a'];
      if (f.failures.length) failures.push(`POST ${scheme} @${countLabel(l.count)}: ${f.failures.length} failed, first: ${f.failures[0]}`);
      noisy(`POST ${scheme}`, l, f.cpu);
      return [num(percentile(f.latencies, 0.5)), num(percentile(f.latencies, 0.99)), num((1000 * f.latencies.length) / f.wallMs)];
    });
    const p50 = (l: Level) => percentile(l.creates.get(scheme)?.latencies ?? [], 0.5);
    return [`MAILBOX_PASSWORD_SCHEME=${scheme}`, ...cells, growth(p50(first), p50(lastLevel)), noise(levels.map((l) => l.creates.get(scheme)?.cpu))];
  });

  const out = [
    '',
    `=== Mailboxes with ${levels.map((l) => l.count).join(' and ')} present (${s.domains} domains; rows bulk-inserted with SQL, one shared ARGON2ID hash) ===`,
    `real gateway → NATS → mailbox-service → pg; platform admin API key; LOG_LEVEL=${s.logLevel}; DATABASE_POOL_SIZE=${stack.env.DATABASE_POOL_SIZE}`,
    '',
    `GET: autocannon, ${s.listConnections} connections, ${s.listDuration} s measured after ${s.listWarmup} s warm-up, limit=${PAGE_SIZE}, sort by address; search matches ${SEARCH_HITS} rows at every count`,
    table(listHeader, listRows),
    '',
    `POST: ${s.creates} creates per row (after ${2 * s.createConcurrency} unmeasured), ${s.createConcurrency} in flight; the hash is computed in mailbox-service with the scheme named`,
    `(the lists above were measured with the mailbox count shown, before these creates; each create row adds ${s.creates + 2 * s.createConcurrency} mailboxes)`,
    table(createHeader, createRows),
    '',
    "other CPU % = share of the machine's busy CPU time in that run not used by the stack's processes, postgres or the bench itself.",
  ];
  if (warnings.length)
    out.push(
      `WARNING: other programs were busy, the figures are noisy (rerun on a quiet machine): ${warnings.length} runs above 10% with the machine saturated, e.g. ${warnings[0]}`,
    );
  console.log(out.join('\n'));
  if (failures.length) {
    const banner = '!'.repeat(78);
    console.log([banner, '!!! FAILED REQUESTS — figures are not comparable:', ...failures.map((f) => `!!!   ${f}`), banner].join('\n'));
  }
}
