import { performance } from 'node:perf_hooks';
import { hashMailPassword } from '#mailstack';
import { imapLogin, sendMail } from '../test/helpers/mail.js';
import { TestStack } from '../test/helpers/stack.js';
import { countLabel, num, percentile, table, verdict } from './format.js';

/**
 * Mail-stack section of `npm run bench` (needs the real daemons: scripts/mailstack.sh):
 * - reconcile: duration of POST /system/reconcile jobs with N mailboxes present, for each N of
 *   `counts` (1% of them with their own spam overrides, which Rspamd's map lists). Each measured run
 *   changes message_size_limit and the domain's spam_threshold first, so every run renders, checks and
 *   reloads Postfix and Rspamd. Goal: under 2 s at 100k, flat in N (routing comes from the views).
 * - SMTP accept latency through the milters (Rspamd with ClamAV, then OpenDKIM) and the policy service:
 *   connect → 250 after DATA for `messages` messages to one mailbox; p50/p99 reported.
 * - provisioning: time from POST /api/v1/mailboxes to the first successful IMAP login as that mailbox.
 */

export interface MailstackBenchSettings {
  counts: number[];
  reconciles: number;
  logins: number;
  /** Messages whose SMTP accept latency is measured (0 = skip). */
  messages: number;
  logLevel: string;
}

/** The issue's goal for a reconcile with every component at 100k mailboxes. */
const RECONCILE_GOAL_MS = 2000;

const DOMAIN = 'reconcile-bench.example';
const PASSWORD = 'Bench-Pass-2024!x';

interface JobBody {
  id: string;
  state: string;
  error?: string | null;
  started_at?: string | null;
  finished_at?: string | null;
  result?: { duration_ms?: number; reloaded?: string[]; steps?: { name: string; duration_ms: number }[] } | null;
}

async function api<T>(stack: TestStack, method: string, path: string, body?: unknown): Promise<{ status: number; body: T; location: string | null }> {
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers: { 'x-api-key': stack.admin.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, location: res.headers.get('location') };
}

async function runReconcile(
  stack: TestStack,
): Promise<{ wallMs: number; engineMs: number; reloaded: string[]; steps: { name: string; duration_ms: number }[] }> {
  const t0 = performance.now();
  const start = await api<{ job: JobBody }>(stack, 'POST', '/api/v1/system/reconcile', {});
  if (start.status !== 202) throw new Error(`POST /system/reconcile: ${start.status} ${JSON.stringify(start.body)}`);
  for (;;) {
    const job = await api<JobBody>(stack, 'GET', `/api/v1/jobs/${start.body.job.id}`);
    if (job.body.state === 'completed') {
      const r = job.body.result;
      return { wallMs: performance.now() - t0, engineMs: r?.duration_ms ?? NaN, reloaded: r?.reloaded ?? [], steps: r?.steps ?? [] };
    }
    if (job.body.state === 'failed' || job.body.state === 'cancelled') throw new Error(`reconcile job ${job.body.state}: ${job.body.error}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function bulkInsert(stack: TestStack, domainId: string, from: number, to: number, hash: string): Promise<void> {
  await stack.db.query(
    `WITH d AS (SELECT id, tenant_id, name FROM domains WHERE id = $4),
     g AS (SELECT gen_random_uuid() AS id, 'bulk-' || lpad(g::text, 6, '0') AS local FROM generate_series($1::int, $2::int) AS g),
     ins AS (
       INSERT INTO mailboxes (id, tenant_id, domain_id, local_part, address, password_hash)
       SELECT g.id, d.tenant_id, d.id, g.local, g.local || '@' || d.name, $3 FROM g CROSS JOIN d
       RETURNING id, address)
     INSERT INTO mail_addresses (address, owner_kind, owner_id) SELECT address, 'mailbox', id FROM ins`,
    [from, to, hash, domainId],
  );
  // 1% of them carry their own spam settings: the mailboxes Rspamd's per-recipient map lists.
  await stack.db.query(
    `INSERT INTO mailbox_overrides (mailbox_id, settings)
     SELECT m.id, '{"spam_action": "reject", "spam_threshold": 9}'::jsonb
       FROM generate_series($2::int, $3::int) AS n JOIN mailboxes m ON m.address = 'bulk-' || lpad(n::text, 6, '0') || '@' || $4
      WHERE n % 100 = 0 AND m.domain_id = $1
     ON CONFLICT (mailbox_id) DO NOTHING`,
    [domainId, from, to, DOMAIN],
  );
  await stack.db.query('VACUUM ANALYZE mailboxes');
}

export async function runMailstackBench(s: MailstackBenchSettings, onStack: (stack: TestStack) => void): Promise<void> {
  const stack = await TestStack.start('bench-mailstack', { mailstack: true, logLevel: s.logLevel });
  onStack(stack);
  const domain = await api<{ id: string }>(stack, 'POST', '/api/v1/domains', { name: DOMAIN });
  if (domain.status !== 201) throw new Error(`POST /domains: ${domain.status} ${JSON.stringify(domain.body)}`);
  const hash = await hashMailPassword(PASSWORD, 'SSHA512');
  await runReconcile(stack); // first render for this database

  const rows: string[][] = [];
  const medians: number[] = [];
  let present = 0;
  let limit = 50 * 1024 * 1024;
  for (const count of s.counts) {
    if (count > present) {
      const t0 = performance.now();
      await bulkInsert(stack, domain.body.id, present + 1, count, hash);
      console.log(`[bench] ${count - present} mailboxes inserted with SQL in ${num((performance.now() - t0) / 1000)} s`);
      present = count;
    }
    const wall: number[] = [];
    const engine: number[] = [];
    const stepMs = new Map<string, number[]>();
    let reloaded = '';
    for (let i = 0; i < s.reconciles; i++) {
      limit += 1024;
      const put = await api(stack, 'PUT', '/api/v1/config/global', { message_size_limit: limit });
      if (put.status !== 200) throw new Error(`PUT /config/global: ${put.status} ${JSON.stringify(put.body)}`);
      const spam = await api(stack, 'PUT', `/api/v1/domains/${DOMAIN}/overrides`, { spam_action: 'reject', spam_threshold: 10 + (i % 2) });
      if (spam.status !== 200) throw new Error(`PUT /domains/…/overrides: ${spam.status} ${JSON.stringify(spam.body)}`);
      const r = await runReconcile(stack);
      wall.push(r.wallMs);
      engine.push(r.engineMs);
      for (const st of r.steps) stepMs.set(st.name, [...(stepMs.get(st.name) ?? []), st.duration_ms]);
      reloaded = r.reloaded.join('+') || 'none';
    }
    const slowest = [...stepMs]
      .map(([name, ms]) => [name, percentile(ms, 0.5)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3);
    console.log(`[bench] ${countLabel(count)}: slowest steps (p50) ${slowest.map(([n, ms]) => `${n} ${num(ms, 0)} ms`).join(', ')}`);
    medians.push(percentile(engine, 0.5));
    const p50 = percentile(engine, 0.5);
    rows.push([
      countLabel(count),
      num(p50, 0),
      num(Math.max(...engine), 0),
      num(percentile(wall, 0.5), 0),
      reloaded,
      `< ${RECONCILE_GOAL_MS}`,
      verdict(p50, RECONCILE_GOAL_MS - 1),
    ]);
  }
  console.log('\nReconcile with all components (each run renders a changed message_size_limit and spam_threshold, checks, reloads)');
  console.log(table(['mailboxes', 'engine p50 ms', 'engine max ms', 'POST→completed p50 ms', 'reloaded', 'goal ms', ''], rows));
  if (medians.length >= 2) {
    const ratio = medians[medians.length - 1] / medians[0];
    console.log(`ratio ${rows[rows.length - 1][0]}/${rows[0][0]}: ×${num(ratio, 2)} (goal: about 1 — routing comes from the views)`);
  }

  const loginMs: number[] = [];
  for (let i = 0; i < s.logins; i++) {
    const local = `login-${i}`;
    const t0 = performance.now();
    const created = await api(stack, 'POST', '/api/v1/mailboxes', { username: `${local}@${DOMAIN}`, password: PASSWORD });
    if (created.status !== 201) throw new Error(`POST /mailboxes: ${created.status} ${JSON.stringify(created.body)}`);
    while (!(await imapLogin(`${local}@${DOMAIN}`, PASSWORD))) {
      if (performance.now() - t0 > 30_000) throw new Error(`${local}: no IMAP login within 30 s`);
      await new Promise((r) => setTimeout(r, 5));
    }
    loginMs.push(performance.now() - t0);
  }
  if (s.messages > 0) await smtpLatency(stack, s.messages);

  console.log(`\nPOST /mailboxes → first successful IMAP login (${s.logins} mailboxes, ${countLabel(present)} present, default scheme):`);
  console.log(table(['p50 ms', 'p90 ms', 'max ms'], [[num(percentile(loginMs, 0.5), 0), num(percentile(loginMs, 0.9), 0), num(Math.max(...loginMs), 0)]]));
}

/** Connect → 250 after DATA, one message at a time, through Rspamd (+ClamAV), OpenDKIM and the policy service. */
async function smtpLatency(stack: TestStack, messages: number): Promise<void> {
  const to = `latency@${DOMAIN}`;
  const created = await api(stack, 'POST', '/api/v1/mailboxes', { username: to, password: PASSWORD });
  if (created.status !== 201) throw new Error(`POST /mailboxes: ${created.status} ${JSON.stringify(created.body)}`);
  const ms: number[] = [];
  for (let i = 0; i < messages + 5; i++) {
    const t0 = performance.now();
    const r = await sendMail({ from: `bench-${i}@outside.example`, to, subject: `latency ${i}`, text: `message ${i}` });
    if (r.rejected.length) throw new Error(`message ${i} refused: ${r.response}`);
    if (i >= 5) ms.push(performance.now() - t0); // the first few warm the milters' connections
  }
  console.log(`\nSMTP accept latency through the milters and the policy service (${messages} messages, one connection each)`);
  console.log(table(['p50 ms', 'p99 ms', 'max ms'], [[num(percentile(ms, 0.5), 1), num(percentile(ms, 0.99), 1), num(Math.max(...ms), 1)]]));
}
