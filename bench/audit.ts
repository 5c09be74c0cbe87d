import { performance } from 'node:perf_hooks';
import { TestStack } from '../test/helpers/stack.js';
import { num, percentile, table } from './format.js';

/**
 * Audit section of `npm run bench`: what the audit log's before/after capture costs a write. Every
 * audited PATCH reads its object once through the gateway's own GET route before the handler
 * (AuditStateInterceptor); the section times sequential PATCH /domains/{d} (with that read) beside
 * sequential GET /domains/{d} (the read itself, plus one HTTP round trip) on one stack.
 */
export interface AuditBenchSettings {
  writes: number;
  logLevel: string;
}

export async function runAuditBench(s: AuditBenchSettings, onStack: (stack: TestStack) => void): Promise<void> {
  console.log(`[bench] audit: starting a stack (LOG_LEVEL=${s.logLevel})`);
  const stack = await TestStack.start('bench_audit', { logLevel: s.logLevel });
  onStack(stack);
  const api = stack.api(stack.admin.apiKey);
  const created = await api.post('/api/v1/domains', { name: 'audit-bench.example' });
  if (created.status !== 201) throw new Error(`domain create: ${created.status} ${created.text}`);
  const path = '/api/v1/domains/audit-bench.example';
  const timed = async (fn: () => Promise<{ status: number; text: string }>, want: number): Promise<number> => {
    const t0 = performance.now();
    const res = await fn();
    const ms = performance.now() - t0;
    if (res.status !== want) throw new Error(`${res.status} ${res.text}`);
    return ms;
  };
  const patch = (i: number) => () => api.patch(path, { active: i % 2 === 0 });
  for (let i = 0; i < 50; i++) await timed(patch(i), 200); // warm-up
  const writes: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < s.writes; i++) {
    writes.push(await timed(patch(i), 200));
    reads.push(await timed(() => api.get(path), 200));
  }
  const [entries] = await stack.db.query<{ n: string; with_before: string }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE before IS NOT NULL) AS with_before FROM audit_log WHERE action = 'domains.update'`,
  );
  const row = (name: string, xs: number[]) => [name, String(xs.length), num(percentile(xs, 0.5), 2), num(percentile(xs, 0.9), 2), num(percentile(xs, 0.99), 2)];
  console.log(
    `\n[bench] audit: sequential, admin API key; ${entries.with_before} of ${entries.n} update entries hold a before-state\n` +
      table(['request', 'n', 'p50 ms', 'p90 ms', 'p99 ms'], [row('PATCH /domains/{d} (audited, reads before)', writes), row('GET /domains/{d}', reads)]),
  );
}
