import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dkimTxtRecord, imapLogin, readRawMessage, sendMail, smtpEhlo, verifyDkim, waitForMaildirMessage } from '../../../../test/helpers/mail.js';
import { MailstackMissingError, requireBinary, runCommand } from '../exec/command-runner.js';
import { pgsqlMapPath } from '../postfix/pgsql-maps.renderer.js';
import { greylistConfPath, rspamdMapPath } from '../rspamd/rspamd-maps.renderer.js';
import { reconcileMailstack } from './reconcile.js';
import { createMailFixture, type MailFixture, PATHS, postconf, re, snapshotFiles } from './reconcile.int-fixture.js';
import { ReconcileError, type ReconcileInput, type ReconcileResult } from './reconcile.types.js';

/**
 * The engine against the real Postfix, Dovecot and OpenDKIM of this host (scripts/mailstack.sh has
 * run): what it writes, what it reloads, what it refuses, how it rolls back.
 */
describe('reconcileMailstack (real Postfix, Dovecot, OpenDKIM)', () => {
  let fx: MailFixture;
  let db: MailFixture['db'];
  let domain: string;
  let bulkDomain: string;
  let selector: string;
  let privateKey: string;
  let pw: MailFixture['pw'];
  let input: ReconcileInput;
  let tenant: string;
  let bulkId: string;
  const progress: number[] = [];

  before(async () => {
    fx = await createMailFixture('reconcile');
    ({ db, domain, bulkDomain, selector, privateKey, pw, input, tenant, bulkId } = fx);
  });
  after(async () => {
    await fx?.cleanup();
  });

  let first: ReconcileResult;

  it('renders maps, Dovecot SQL and DKIM files, checks them and reloads the daemons', async () => {
    first = await reconcileMailstack(input, PATHS, (p) => progress.push(p));
    assert.ok(first.changed.includes(pgsqlMapPath(PATHS.postfixDir, 'virtual_mailboxes')), first.changed.join(', '));
    assert.ok(first.changed.includes(`${PATHS.opendkimDir}/keys/${domain}/${selector}.private`));
    // A new database (maps, Dovecot SQL) and a new key: all three daemons.
    assert.deepEqual(first.reloaded, ['postfix', 'dovecot', 'opendkim']);
    assert.equal(progress.at(-1), 100);
    assert.ok(
      progress.every((p, i) => i === 0 || p >= progress[i - 1]),
      'progress only grows',
    );
    for (const s of first.steps) assert.ok(['changed', 'unchanged', 'ok', 'skipped'].includes(s.outcome), `${s.name}: ${s.outcome} ${s.detail ?? ''}`);

    const map = await stat(pgsqlMapPath(PATHS.postfixDir, 'virtual_aliases'));
    assert.equal(map.mode & 0o777, 0o640);
    assert.equal(map.uid, 0);
    const key = await stat(`${PATHS.opendkimDir}/keys/${domain}/${selector}.private`);
    assert.equal(key.mode & 0o777, 0o600);
    assert.notEqual(key.uid, 0, 'owned by the OpenDKIM user');
    assert.match(await postconf('virtual_mailbox_maps'), /^proxy:pgsql:.*virtual_mailboxes\.cf$/);
    assert.equal(await postconf('message_size_limit'), String(input.global.message_size_limit));
    assert.match(await readFile(`${PATHS.opendkimDir}/SigningTable`, 'utf8'), new RegExp(`^\\*@${re(domain)} ${selector}\\._domainkey\\.`, 'm'));
  });

  it('a second run with the same input changes nothing and reloads nothing', async () => {
    const again = await reconcileMailstack(input, PATHS);
    assert.deepEqual(again.changed, []);
    assert.deepEqual(again.reloaded, []);
    assert.ok(
      again.steps.every((s) => s.outcome === 'unchanged' || s.outcome === 'skipped'),
      JSON.stringify(again.steps),
    );
  });

  it('two reconciles at once run one after the other, each complete', async () => {
    const [a, b] = await Promise.all(
      [1, 2].map((n) => reconcileMailstack({ ...input, global: { ...input.global, message_size_limit: n * 1_048_576 } }, PATHS)),
    );
    assert.deepEqual([a.reloaded, b.reloaded], [['postfix'], ['postfix']]);
    const last = await postconf('message_size_limit');
    assert.ok(['1048576', '2097152'].includes(last), last);
    const back = await reconcileMailstack(input, PATHS);
    assert.deepEqual(back.reloaded, ['postfix']);
    assert.equal(await postconf('message_size_limit'), String(input.global.message_size_limit));
  });

  it('leaves an Ed25519 key out (OpenDKIM 2.11 would tempfail all mail of its domain) and says so', async () => {
    const ed = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const r = await reconcileMailstack(
      { ...input, dkimKeys: [...input.dkimKeys, { domain: bulkDomain, selector: 'ed', privateKeyPem: ed.privateKey }] },
      PATHS,
    );
    assert.deepEqual(r.changed, []);
    assert.deepEqual(r.reloaded, []);
    assert.match(
      r.steps.find((s) => s.name === 'opendkim.keys')?.detail ?? '',
      new RegExp(`not signing ${re(bulkDomain)}: OpenDKIM 2\\.11 signs with RSA keys only`),
    );
    assert.doesNotMatch(await readFile(`${PATHS.opendkimDir}/KeyTable`, 'utf8'), new RegExp(re(bulkDomain)));
    const m = randomBytes(6).toString('hex');
    const sent = await sendMail({ from: `someone@${bulkDomain}`, to: `alice@${domain}`, subject: `unsigned ${m}` });
    assert.deepEqual(sent.accepted, [`alice@${domain}`], sent.response);
    const raw = await readRawMessage(await waitForMaildirMessage(`alice@${domain}`, `unsigned ${m}`));
    assert.deepEqual(
      (await verifyDkim(raw, 'ed', bulkDomain, dkimTxtRecord(ed.privateKey))).map((c) => c.result),
      ['none'],
      'delivered, unsigned',
    );
    await assert.rejects(
      reconcileMailstack({ ...input, dkimKeys: [{ domain, selector, privateKeyPem: 'not a key' }] }, PATHS),
      (e: unknown) => e instanceof ReconcileError && /not a readable private key/.test(e.reason),
    );
    assert.match(await readFile(`${PATHS.opendkimDir}/KeyTable`, 'utf8'), new RegExp(`^${selector}\\._domainkey\\.${re(domain)} `, 'm'), 'nothing written');
  });

  it('a message_size_limit change is applied and enforced by Postfix', async () => {
    const r = await reconcileMailstack({ ...input, global: { ...input.global, message_size_limit: 30_000 } }, PATHS);
    assert.deepEqual(r.reloaded, ['postfix']);
    assert.ok(r.changed.includes(`${PATHS.postfixDir}/main.cf`));
    assert.equal(await postconf('message_size_limit'), '30000');
    const big = await sendMail({ from: `alice@${domain}`, to: `alice@${domain}`, padBytes: 40_000 });
    assert.deepEqual(big.accepted, []);
    assert.equal(big.responseCode, 552, big.response);
    assert.match(big.response, /5\.3\.4|size/i);
    const small = await sendMail({ from: `alice@${domain}`, to: `alice@${domain}`, padBytes: 1_000 });
    assert.deepEqual(small.accepted, [`alice@${domain}`]);
    input = { ...input, global: { ...input.global, message_size_limit: 30_000 } };
  });

  it('a database the maps cannot reach fails before any file changes', async () => {
    const before = await snapshotFiles();
    const bad: ReconcileInput = {
      ...input,
      global: { ...input.global, message_size_limit: 2048 },
      database: { ...input.database, dbname: `${db.name}_missing` },
    };
    const err = await reconcileMailstack(bad, PATHS).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ReconcileError, String(err));
    assert.match(err.reason, /postmap -q pgsql:.*virtual_domains\.cf failed:.*does not exist/);
    assert.deepEqual(
      err.steps.map((s) => [s.name, s.outcome]),
      [['database.probe', 'failed']],
    );
    assert.deepEqual(await snapshotFiles(), before);
    assert.equal(await postconf('message_size_limit'), '30000');
    assert.equal(await imapLogin(`alice@${domain}`, pw.alice), true);
  });

  it('a failing check rolls every file back and the daemons keep the old config', async () => {
    const before = await snapshotFiles();
    const dir = await mkdtemp(join(tmpdir(), 'mp-rc-bad-'));
    try {
      // A new size limit together with a certificate and a key that do not belong together.
      for (const n of ['a', 'b']) {
        execFileSync(
          'openssl',
          ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=x', '-keyout', join(dir, `${n}.key`), '-out', join(dir, `${n}.crt`)],
          { stdio: 'ignore' },
        );
      }
      const bad: ReconcileInput = {
        ...input,
        global: { ...input.global, message_size_limit: 2048 },
        tls: { certFile: join(dir, 'a.crt'), keyFile: join(dir, 'b.key') },
      };
      const err = await reconcileMailstack(bad, PATHS).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ReconcileError, String(err));
      assert.match(err.reason, /TLS key .*b\.key does not belong to certificate .*a\.crt/);
      assert.equal(err.steps.find((s) => s.name === 'postfix.main_cf')?.outcome, 'changed', 'main.cf had been changed');
      assert.equal(err.steps.find((s) => s.name === 'postfix.check')?.outcome, 'failed');
      const rollback = err.steps.at(-1)!;
      assert.deepEqual([rollback.name, rollback.outcome], ['rollback', 'rolled_back']);
      assert.match(rollback.detail ?? '', /main\.cf/);
      assert.ok(!err.steps.some((s) => s.name.endsWith('.reload') && s.outcome === 'ok'), 'nothing was reloaded');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    assert.deepEqual(await snapshotFiles(), before, 'every file as it was');
    assert.equal(await postconf('message_size_limit'), '30000');
    assert.equal(await postconf('smtpd_tls_cert_file'), '');
    assert.equal((await runCommand(requireBinary('postfix', PATHS.binPath), ['-c', PATHS.postfixDir, 'status'])).code, 0, 'postfix still running');
    // Still the old limit and the old maps in force.
    const big = await sendMail({ from: `alice@${domain}`, to: `alice@${domain}`, padBytes: 40_000 });
    assert.equal(big.responseCode, 552, big.response);
    const m = randomBytes(6).toString('hex');
    const ok = await sendMail({ from: `alice@${domain}`, to: `team@${domain}`, subject: `after-rollback ${m}`, padBytes: 5_000 });
    assert.deepEqual(ok.accepted, [`team@${domain}`], ok.response);
    await waitForMaildirMessage(`alice@${domain}`, `after-rollback ${m}`);
    assert.equal(await imapLogin(`alice@${domain}`, pw.alice), true);
  });

  it('an Rspamd configuration that does not pass rspamadm configtest is rolled back with the Postfix change; Rspamd keeps running', async () => {
    const antispam: ReconcileInput['antispam'] = { entries: [], recipients: [{ key: '*', rejectAt: null, greylist: false, clamav: 'reject' }] };
    const good = await reconcileMailstack({ ...input, antispam }, PATHS);
    assert.ok(good.steps.some((s) => s.name === 'rspamd.maps'));
    const files = [rspamdMapPath(PATHS.rspamdDir, 'recipients'), greylistConfPath(PATHS.rspamdDir), `${PATHS.postfixDir}/main.cf`];
    const before = Object.fromEntries(await Promise.all(files.map(async (f) => [f, await readFile(f, 'utf8')] as const)));
    const rspamdPid = Number((await readFile('/run/rspamd/rspamd.pid', 'utf8')).trim());

    // The API never lets such a value through; the engine must still not leave Rspamd broken by one.
    const broken = { ...input.global, message_size_limit: 4096, greylist_delay_seconds: '1s; } broken {' as unknown as number };
    const err = await reconcileMailstack({ ...input, global: broken, antispam }, PATHS).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ReconcileError, String(err));
    assert.match(err.reason, /rspamadm configtest failed/);
    assert.equal(err.steps.find((s) => s.name === 'rspamd.check')?.outcome, 'failed');
    assert.deepEqual(err.steps.at(-1)?.outcome, 'rolled_back');
    for (const f of files) assert.equal(await readFile(f, 'utf8'), before[f], `${f} as it was`);
    assert.equal(await postconf('message_size_limit'), '30000');
    assert.equal((await runCommand(requireBinary('rspamadm', PATHS.binPath), ['configtest'])).code, 0, 'the configuration on disk passes');
    const alive = await readFile(`/proc/${rspamdPid}/stat`, 'utf8').catch(() => '');
    assert.match(alive, /^\d+ \(rspamd\) [^ZX]/, 'the same Rspamd still runs');
    const m = randomBytes(6).toString('hex');
    const ok = await sendMail({ from: `alice@${domain}`, to: `team@${domain}`, subject: `after-rspamd-rollback ${m}` });
    assert.deepEqual(ok.accepted, [`team@${domain}`], ok.response);
    await waitForMaildirMessage(`alice@${domain}`, `after-rspamd-rollback ${m}`);
  });

  it('a domain that stops signing loses its key file and its table entries', async () => {
    const r = await reconcileMailstack({ ...input, dkimKeys: [] }, PATHS);
    assert.deepEqual(r.reloaded, ['opendkim']);
    await assert.rejects(stat(`${PATHS.opendkimDir}/keys/${domain}/${selector}.private`), { code: 'ENOENT' });
    assert.doesNotMatch(await readFile(`${PATHS.opendkimDir}/KeyTable`, 'utf8'), new RegExp(re(domain)));
    const m = randomBytes(6).toString('hex');
    await sendMail({ from: `alice@${domain}`, to: `alice@${domain}`, subject: `nokey ${m}` });
    const unsigned = await readRawMessage(await waitForMaildirMessage(`alice@${domain}`, `nokey ${m}`));
    assert.deepEqual(
      (await verifyDkim(unsigned, selector, domain, dkimTxtRecord(privateKey))).map((c) => c.result),
      ['none'],
      'OpenDKIM dropped the key',
    );

    const back = await reconcileMailstack(input, PATHS);
    assert.deepEqual(back.reloaded, ['opendkim']);
    await sendMail({ from: `alice@${domain}`, to: `alice@${domain}`, subject: `key-again ${m}` });
    const signed = await readRawMessage(await waitForMaildirMessage(`alice@${domain}`, `key-again ${m}`));
    assert.deepEqual(
      (await verifyDkim(signed, selector, domain, dkimTxtRecord(privateKey))).map((c) => c.result),
      ['pass'],
      'and signs again',
    );
  });

  it('takes about as long with 100,000 mailboxes as with 100 (routing lives in the views)', async () => {
    const addMailboxes = (from: number, to: number) =>
      db.query(
        `INSERT INTO mailboxes (tenant_id, domain_id, local_part, address, password_hash)
         SELECT $1, $2, 'u' || i, 'u' || i || '@' || $3, '{SSHA512}x' FROM generate_series($4::int, $5::int) i`,
        [tenant, bulkId, bulkDomain, from, to],
      );
    // Each timed run changes the size limit and the database settings (a password, which trust auth
    // ignores), so it probes every map and Dovecot's queries, writes, checks and reloads both.
    const timed = async (limit: number, password: string) => {
      const r = await reconcileMailstack(
        { ...input, global: { ...input.global, message_size_limit: limit }, database: { ...input.database, password } },
        PATHS,
      );
      assert.deepEqual(r.reloaded, ['postfix', 'dovecot']);
      assert.equal(r.steps[0].outcome, 'ok', 'database probed');
      return r.duration_ms;
    };
    await addMailboxes(1, 97); // + alice, bob, carol = 100
    const t100 = await timed(40_000, 'probe-a');
    await addMailboxes(98, 100_000);
    await db.query('ANALYZE');
    const t100k = await timed(50_000, 'probe-b');
    console.log(`reconcile with 100 mailboxes: ${t100} ms; with 100,000: ${t100k} ms`);
    assert.ok(t100k < t100 * 3 + 1000, `100k: ${t100k} ms vs 100: ${t100} ms`);
    // And a lookup among them still routes.
    const post = await runCommand(requireBinary('postmap', PATHS.binPath), [
      '-q',
      `u99999@${bulkDomain}`,
      `pgsql:${pgsqlMapPath(PATHS.postfixDir, 'virtual_mailboxes')}`,
    ]);
    assert.equal(post.stdout.trim(), `${bulkDomain}/u99999/`);
    assert.equal(await imapLogin(`alice@${domain}`, pw.alice), true);
    await reconcileMailstack(input, PATHS);
  });

  it('offers STARTTLS with a configured certificate, refuses a key of another one, and drops TLS again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mp-rc-tls-'));
    try {
      const pair = (name: string) => {
        execFileSync(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '2',
            '-subj',
            '/CN=mail.mailplane.test',
            '-keyout',
            join(dir, `${name}.key`),
            '-out',
            join(dir, `${name}.crt`),
          ],
          { stdio: 'ignore' },
        );
        return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
      };
      const a = pair('a');
      const b = pair('b');
      assert.equal((await smtpEhlo()).includes('STARTTLS'), false, 'no certificate, no STARTTLS');
      const on = await reconcileMailstack({ ...input, tls: a }, PATHS);
      assert.deepEqual(on.reloaded, ['postfix']);
      assert.equal(await postconf('smtpd_tls_cert_file'), a.certFile);
      assert.ok((await smtpEhlo()).includes('STARTTLS'));

      const err = await reconcileMailstack({ ...input, tls: { certFile: a.certFile, keyFile: b.keyFile } }, PATHS).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ReconcileError);
      assert.match(err.reason, /does not belong/);
      assert.equal(await postconf('smtpd_tls_key_file'), a.keyFile, 'the old key stays');
      assert.ok((await smtpEhlo()).includes('STARTTLS'));

      const off = await reconcileMailstack(input, PATHS);
      assert.deepEqual(off.reloaded, ['postfix']);
      assert.equal(await postconf('smtpd_tls_cert_file'), '', 'parameter removed (back to its empty default)');
      assert.equal((await smtpEhlo()).includes('STARTTLS'), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('throws MailstackMissingError when postfix is not on the bin path', async () => {
    await assert.rejects(
      reconcileMailstack(input, { ...PATHS, binPath: '/nonexistent/mailplane' }),
      (e: unknown) => e instanceof MailstackMissingError && e.program === 'postfix',
    );
  });
});
