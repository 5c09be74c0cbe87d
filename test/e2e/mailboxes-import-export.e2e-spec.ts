import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { parse } from 'csv-parse/sync';
import { jobsPrefix, QueueNames } from '#jobs';
import { expectError } from '../helpers/api-client.js';
import { waitFor } from '../helpers/processes.js';
import { dumpRedis, keysHolding } from '../helpers/redis-scan.js';
import { TestStack } from '../helpers/stack.js';

const PW = 'Str0ng-Passphrase!';
const HEADER = 'address,name,password,quota_bytes,active';

describe('mailbox import preview and CSV export (e2e)', () => {
  let stack: TestStack;
  let a: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let b: Awaited<ReturnType<TestStack['tenantAdmin']>>;
  let domainA: { id: string; name: string };

  const counts = async () =>
    (
      await stack.db.query<{ m: string; a: string; addr: string }>(
        `SELECT (SELECT count(*) FROM mailboxes) AS m, (SELECT count(*) FROM aliases) AS a, (SELECT count(*) FROM mail_addresses) AS addr`,
      )
    )[0];
  const preview = (token: string, body: unknown) => stack.api(token).post('/api/v1/mailboxes/import/preview', body);
  const exportCsv = async (token: string, query = '') => {
    const res = await stack.api(token).get(`/api/v1/mailboxes/export${query}`);
    return { res, records: res.status === 200 ? (parse(res.text, { columns: true }) as Record<string, string>[]) : [] };
  };

  before(async () => {
    stack = await TestStack.start('mbx_import_export');
    a = await stack.tenantAdmin('ie-a');
    b = await stack.tenantAdmin('ie-b');
    const d = await stack.api(a.token).post('/api/v1/domains', { name: 'ie-a.example' });
    assert.equal(d.status, 201, d.text);
    domainA = d.body;
    assert.equal((await stack.api(b.token).post('/api/v1/domains', { name: 'ie-b.example' })).status, 201);
    for (const [token, body] of [
      [a.token, { username: 'existing@ie-a.example', password: PW, name: 'Existing', quota_bytes: 1024 }],
      [a.token, { username: 'formula@ie-a.example', password: PW, name: '=HYPERLINK("http://evil.example","x")' }],
      [a.token, { username: '-dash@ie-a.example', password: PW, name: 'Comma, "quoted"\nnew line' }],
      [a.token, { username: 'off@ie-a.example', password: PW, active: false }],
      [b.token, { username: 'other@ie-b.example', password: PW }],
    ] as const) {
      const r = await stack.api(token).post('/api/v1/mailboxes', body);
      assert.equal(r.status, 201, r.text);
    }
    const al = await stack.api(a.token).post('/api/v1/aliases', { source: 'team@ie-a.example', destinations: ['existing@ie-a.example'] });
    assert.equal(al.status, 201, al.text);
  });
  after(async () => {
    await stack?.stop();
  });

  it('gives a verdict per CSV row for every rule a create applies, and writes nothing', async () => {
    const before = await counts();
    const csv = [
      'address,username,domain,name,password,quota_bytes,active',
      `new1@ie-a.example,,,New One,${PW},1024,true`,
      `existing@ie-a.example,,,,${PW},,`,
      `team@ie-a.example,,,,${PW},,`,
      `x@ie-b.example,,,,${PW},,`,
      `bad..dots@ie-a.example,,,,${PW},,`,
      'weak@ie-a.example,,,,short,,',
      `NEW1@IE-A.example,,,,${PW},,`,
      `q@ie-a.example,,,,${PW},-5,`,
      `act@ie-a.example,,,,${PW},,maybe`,
      `,u1,ie-a.example,"Name, with comma",${PW},,false`,
      'nopw@ie-a.example,,,,,,',
      `nodomain,,,,${PW},,`,
      `alice@ie-a.example,,,,My-ALICE-pass1,,`,
      `z@ie-a.example,,other.example,,${PW},,`,
      `'=eq@ie-a.example,,,,${PW},,`,
    ].join('\r\n');
    const res = await preview(a.token, { csv });
    assert.equal(res.status, 200, res.text);
    const v = res.body.rows as { row: number; ok: boolean; address?: string; reasons?: string[] }[];
    const reasons = (row: number) => (v[row - 1].reasons ?? []).join(' | ');
    assert.deepEqual(
      v.map((r) => r.row),
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    assert.deepEqual(v[0], { row: 1, address: 'new1@ie-a.example', ok: true });
    assert.match(reasons(2), /^address: existing@ie-a\.example is already used by a mailbox$/);
    assert.match(reasons(3), /^address: team@ie-a\.example is already used by an alias$/);
    assert.match(reasons(4), /^domain: no domain ie-b\.example is visible to you$/);
    assert.equal(v[3].address, undefined, 'nothing about another tenant’s address is told');
    assert.match(reasons(5), /address: .*two dots/);
    assert.match(reasons(6), /password: .*\(min_length\).*password: .*\(min_classes\)/);
    assert.match(reasons(7), /^address: new1@ie-a\.example is a duplicate of row 1$/);
    assert.match(reasons(8), /^quota_bytes: /);
    assert.match(reasons(9), /^active: /);
    assert.deepEqual(v[9], { row: 10, address: 'u1@ie-a.example', ok: true });
    assert.match(reasons(11), /^password: required$/);
    assert.match(reasons(12), /^address: must be a full address/);
    assert.match(reasons(13), /\(contains_local_part\)/);
    assert.match(reasons(14), /^domain: other\.example is not the address’s domain ie-a\.example$/);
    assert.deepEqual(v[14], { row: 15, address: '=eq@ie-a.example', ok: true }, 'the export’s formula guard is undone');
    assert.deepEqual(res.body.summary, { total: 15, ok: 3, failed: 12 });
    assert.deepEqual(await counts(), before, 'nothing written');
  });

  it('accepts rows as JSON objects (username + domain by name or UUID)', async () => {
    const res = await preview(a.token, {
      rows: [
        { username: 'j1', domain: 'IE-A.example', password: PW, quota_bytes: 5368709120, active: true },
        { username: 'j2@ie-a.example', domain: domainA.id, password: PW },
        { address: 'j3@ie-a.example', password: PW, quota_bytes: 1.5, active: 'nope', name: 7 },
      ],
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.rows.slice(0, 2), [
      { row: 1, address: 'j1@ie-a.example', ok: true },
      { row: 2, address: 'j2@ie-a.example', ok: true },
    ]);
    assert.deepEqual(res.body.rows[2].reasons.map((r: string) => r.split(':')[0]).sort(), ['active', 'name', 'quota_bytes']);
  });

  it('refuses unreadable input with 400 and needs mailboxes:write', async () => {
    expectError(await preview(a.token, {}), 400, 'VALIDATION_FAILED');
    expectError(await preview(a.token, { csv: `${HEADER}\n`, rows: [] }), 400, 'VALIDATION_FAILED');
    const unknown = expectError(await preview(a.token, { csv: 'address,secret\nx@ie-a.example,1\n' }), 400, 'VALIDATION_FAILED');
    assert.match(unknown.fields![0].message, /unknown column "secret"/);
    expectError(await preview(a.token, { csv: `${HEADER}\n"unterminated,a,b,c,d\n` }), 400, 'VALIDATION_FAILED');
    expectError(await preview(a.token, { csv: `${HEADER}\nonly,three,columns\n` }), 400, 'VALIDATION_FAILED');
    expectError(await preview(a.token, { rows: [{ address: 'a@ie-a.example', bogus: 1 }] }), 400, 'VALIDATION_FAILED');
    const many = expectError(await preview(a.token, { rows: Array.from({ length: 10_001 }, () => ({ address: 'a' })) }), 400, 'VALIDATION_FAILED');
    assert.ok(many.fields?.some((f) => f.field === 'rows'));
    const tooMany = `${HEADER}\n${'a@b.example,,,,\n'.repeat(10_001)}`;
    expectError(await preview(a.token, { csv: tooMany }), 400, 'VALIDATION_FAILED');
    expectError(await stack.api(a.token).post('/api/v1/mailboxes/import/preview', HEADER, { 'content-type': 'text/csv' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const key = await stack.api(a.token).post('/api/v1/api-keys', { name: 'read only', scopes: ['mailboxes:read'] });
    assert.equal(key.status, 201, key.text);
    expectError(await preview(key.body.key, { csv: `${HEADER}\n` }), 403, 'INSUFFICIENT_SCOPE');
    assert.equal((await stack.api(key.body.key).get('/api/v1/mailboxes/export')).status, 200);
  });

  it('answers 10,000 failing rows with many reasons each, and a too-large body is a 400', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `${i % 2 ? 'Bad..' : 'ok'}${i}@nowhere.example,,short,-1,maybe`);
    const res = await preview(a.token, { csv: `${HEADER}\n${lines.join('\n')}\n` });
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.deepEqual(res.body.summary, { total: 10_000, ok: 0, failed: 10_000 });
    assert.ok(res.body.rows[9_999].reasons.length >= 4);
    assert.ok(res.text.length > 1_048_576, 'the answer is larger than one NATS message');
    // Just under the HTTP body limit (1 MiB), so body + RPC envelope is over NATS's max_payload.
    let big = `${HEADER}\n${`x@ie-a.example,${'n'.repeat(200)},${PW},,\n`.repeat(4_300)}`;
    const target = 1_048_576 - 100;
    big += `y@ie-a.example,${'n'.repeat(target - JSON.stringify({ csv: big }).length - 38)},${PW},,\n`;
    assert.equal(JSON.stringify({ csv: big }).length, target);
    const tooBig = expectError(await preview(a.token, { csv: big }), 400, 'VALIDATION_FAILED');
    assert.match(tooBig.detail, /too large/);
  });

  it('exports the caller’s mailboxes as CSV: header, blank passwords, escaping, formula guard, filters', async () => {
    const { res, records } = await exportCsv(a.token);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="mailboxes.csv"');
    assert.ok(res.text.startsWith(`${HEADER}\r\n`));
    assert.deepEqual(records, [
      { address: "'-dash@ie-a.example", name: 'Comma, "quoted"\nnew line', password: '', quota_bytes: '', active: 'true' },
      { address: 'existing@ie-a.example', name: 'Existing', password: '', quota_bytes: '1024', active: 'true' },
      { address: 'formula@ie-a.example', name: `'=HYPERLINK("http://evil.example","x")`, password: '', quota_bytes: '', active: 'true' },
      { address: 'off@ie-a.example', name: '', password: '', quota_bytes: '', active: 'false' },
    ]);
    assert.deepEqual(
      (await exportCsv(a.token, '?active=false')).records.map((r) => r.address),
      ['off@ie-a.example'],
    );
    assert.deepEqual(
      (await exportCsv(b.token)).records.map((r) => r.address),
      ['other@ie-b.example'],
    );
    assert.deepEqual((await exportCsv(b.token, '?domain=ie-a.example')).records, [], 'another tenant’s domain exports nothing');
    const all = (await exportCsv(stack.admin.apiKey)).records.map((r) => r.address);
    assert.ok(all.includes('other@ie-b.example') && all.includes('existing@ie-a.example'));
    expectError(await stack.api(a.token).get('/api/v1/mailboxes/export?active=maybe'), 400, 'VALIDATION_FAILED');
  });

  it('an exported CSV previewed again is all "address taken"', async () => {
    const { res } = await exportCsv(a.token);
    const pv = await preview(a.token, { csv: res.text });
    assert.equal(pv.status, 200, pv.text);
    assert.equal(pv.body.summary.total, 4);
    assert.equal(pv.body.summary.failed, 4);
    for (const r of pv.body.rows)
      assert.ok(
        r.reasons.some((x: string) => /is already used by a mailbox/.test(x)),
        JSON.stringify(r),
      );
    assert.deepEqual(pv.body.rows.map((r: { address: string }) => r.address).sort(), [
      '-dash@ie-a.example',
      'existing@ie-a.example',
      'formula@ie-a.example',
      'off@ie-a.example',
    ]);
  });

  it('streams an export larger than one page in address order', async () => {
    await stack.db.query(
      `INSERT INTO mailboxes (tenant_id, domain_id, local_part, address, password_hash)
       SELECT $1, $2, 'bulk' || lpad(i::text, 5, '0'), 'bulk' || lpad(i::text, 5, '0') || '@ie-a.example', '{SSHA512}x' FROM generate_series(1, 2500) i`,
      [a.tenantId, domainA.id],
    );
    const { records } = await exportCsv(a.token, `?domain=${domainA.id}&active=true`);
    assert.equal(records.length, 2503);
    const addresses = records.map((r) => r.address);
    assert.equal(new Set(addresses).size, addresses.length, 'no row twice across pages');
    const bulk = addresses.filter((x) => x.startsWith('bulk'));
    assert.deepEqual(
      bulk,
      Array.from({ length: 2500 }, (_, i) => `bulk${String(i + 1).padStart(5, '0')}@ie-a.example`),
    );
    assert.ok(records.every((r) => r.password === ''));
  });

  it('an import never puts a clear-text password into Redis: queued, while running, after', async () => {
    const redisUrl = stack.env.REDIS_URL!;
    const prefix = `${jobsPrefix(stack.db.url)}:`;
    const passwords = [0, 1, 2].map(() => `Imp-${randomBytes(12).toString('hex')}-Z9`);
    const addresses = passwords.map((_, i) => `sealed${i}@ie-a.example`);
    const checkRedis = async (when: string) => {
      const dump = await dumpRedis(redisUrl, prefix);
      assert.deepEqual(keysHolding(dump, passwords), [], `${when}: no password in any Redis key`);
      return dump;
    };
    // A worker that answers the jobs API but runs nothing: the job stays queued with its full data, so the scan is sure to see it.
    await stack.apps.get('worker')!.stop();
    stack.restartApp('worker', { WORKER_QUEUES: 'none' });
    await waitFor('jobs API', async () => (await stack.api(a.token).get('/api/v1/jobs')).status === 200);
    const csv = [HEADER, ...addresses.map((a, i) => `${a},Sealed ${i},${passwords[i]},,`)].join('\n');
    const res = await stack.api(a.token).post('/api/v1/mailboxes/import', { csv });
    assert.equal(res.status, 202, res.text);
    const jobId = res.body.job.id as string;
    const queued = await checkRedis('queued');
    const jobKey = `${prefix}${QueueNames.Shared}:${jobId}`;
    assert.ok(queued.get(jobKey)?.includes(addresses[0]), `the job's data is in Redis under ${jobKey} (the scan saw it)`);
    assert.match(queued.get(jobKey)!, /password_sealed/);

    await stack.apps.get('worker')!.stop();
    stack.restartApp('worker');
    let job: Record<string, unknown> = {};
    for (const started = Date.now(); Date.now() - started < 30_000;) {
      await checkRedis('while running');
      job = (await stack.api(a.token).get(`/api/v1/jobs/${jobId}`)).body;
      if (job.state === 'completed' || job.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(job.state, 'completed', JSON.stringify(job));
    assert.deepEqual((job.result as { totals: object }).totals, { total: 3, created: 3, exists: 0, failed: 0 });
    await checkRedis('after');
    // The worker opened each sealed password: the stored hash verifies the password of its own row.
    const stored = await stack.db.query<{ address: string; password_hash: string }>(
      `SELECT address, password_hash FROM mailboxes WHERE address = ANY($1) ORDER BY address`,
      [addresses],
    );
    assert.equal(stored.length, 3);
    for (const m of stored) {
      const hash = m.password_hash.replace(/^\{ARGON2ID\}/, '');
      assert.ok(await argon2.verify(hash, passwords[addresses.indexOf(m.address)]), `${m.address}: its own password`);
    }
  });
});
