import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MAILBOX_SERVICE_MAIN } from '../helpers/paths.js';
import { Proc } from '../helpers/processes.js';
import { TestStack } from '../helpers/stack.js';
import { readFile } from 'node:fs/promises';
import { imapLogin, postqueueJson, sendMail, verifyDkim, waitForMaildirMessage } from '../helpers/mail.js';
import type { ApiClient } from '../helpers/api-client.js';

/**
 * The whole promise of issue 4, through HTTP only, against the real Postfix, Dovecot and OpenDKIM
 * of this host (scripts/mailstack.sh starts them; the test command runs it first). Whatever the API
 * says, the daemons must do.
 */
const D1 = 'flow-one.example';
const D2 = 'flow-catchall.example';
const PW = 'Correct-Horse-42!';

interface Job {
  id: string;
  state: string;
  error?: string | null;
  result?: { steps?: { name: string; outcome: string }[]; reloaded?: string[] } | null;
}

/** Runs a reconcile job to its end; then waits for the automatic one the same change asked for (debounced). */
async function reconcile(stack: TestStack, api: ApiClient): Promise<Job> {
  const res = await api.post('/api/v1/system/reconcile', {});
  assert.equal(res.status, 202, res.text);
  assert.equal(res.headers.get('location'), `/api/v1/jobs/${res.body.job.id}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const job = await api.get(`/api/v1/jobs/${res.body.job.id}`);
    assert.equal(job.status, 200, job.text);
    if (['completed', 'failed', 'cancelled'].includes(job.body.state)) {
      await stack.reconcileSettled();
      return job.body as Job;
    }
    if (Date.now() > deadline) throw new Error(`reconcile job still ${job.body.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function postconf(param: string): string {
  return execFileSync('/usr/sbin/postconf', ['-h', param], { encoding: 'utf8' }).trim();
}

describe('the real mail stack, driven through the API (e2e)', () => {
  let stack: TestStack;
  let api: ApiClient;
  const mailbox: Record<string, { id: string; address: string }> = {};
  let dkimTxt: string;

  /** Creates a mailbox while mailbox-service hashes with `scheme`. */
  async function mailboxWithScheme(local: string, domain: string, scheme: string): Promise<void> {
    await stack.mailboxService.stop();
    stack.mailboxService = new Proc('mailbox-service', process.execPath, [MAILBOX_SERVICE_MAIN], {
      ...stack.appEnv('mailbox-service'),
      MAILBOX_PASSWORD_SCHEME: scheme,
    });
    await stack.waitHealthy();
    const res = await api.post('/api/v1/mailboxes', { username: `${local}@${domain}`, password: PW });
    assert.equal(res.status, 201, res.text);
    mailbox[local] = { id: res.body.id, address: res.body.address };
  }

  before(async () => {
    stack = await TestStack.start('mailstack', { mailstack: true });
    api = stack.api(stack.admin.apiKey);
    for (const name of [D1, D2]) assert.equal((await api.post('/api/v1/domains', { name })).status, 201);
    for (const scheme of ['ARGON2ID', 'BLF-CRYPT', 'SHA512-CRYPT', 'SSHA512']) await mailboxWithScheme(scheme.toLowerCase().replace('-', ''), D1, scheme);
    await mailboxWithScheme('catcher', D2, 'SSHA512');
    await mailboxWithScheme('quota', D1, 'SSHA512');
    await mailboxWithScheme('leaver', D1, 'SSHA512');
    assert.equal((await api.post('/api/v1/aliases', { source: `team@${D1}`, destinations: [mailbox.ssha512.address] })).status, 201);
    assert.equal((await api.post('/api/v1/aliases', { source: `@${D2}`, destinations: [mailbox.catcher.address] })).status, 201);
    const dkim = await api.post('/api/v1/dkim', { domain: D1 });
    assert.equal(dkim.status, 201, dkim.text);
    dkimTxt = dkim.body.dns_record.value;
    const job = await reconcile(stack, api);
    assert.equal(job.state, 'completed', JSON.stringify(job));
  });
  after(async () => {
    await stack?.stop();
  });

  it('delivers to a mailbox, an alias and a catch-all, each into the right Maildir', async () => {
    for (const [to, owner] of [
      [mailbox.argon2id.address, mailbox.argon2id.address],
      [`team@${D1}`, mailbox.ssha512.address],
      [`anyone-${Date.now()}@${D2}`, mailbox.catcher.address],
    ]) {
      const marker = `marker-${Math.random().toString(36).slice(2)}`;
      const sent = await sendMail({ from: `sender@outside.example`, to, subject: marker, text: marker });
      assert.deepEqual(sent.rejected, [], `${to}: ${sent.response}`);
      assert.match(await readFile(await waitForMaildirMessage(owner, marker), 'utf8'), new RegExp(marker));
    }
  });

  it('IMAP logs in with the API-set password for every scheme; a wrong password fails', async () => {
    for (const local of ['argon2id', 'blfcrypt', 'sha512crypt', 'ssha512']) {
      assert.equal(await imapLogin(mailbox[local].address, PW), true, local);
      assert.equal(await imapLogin(mailbox[local].address, `${PW}x`), false, local);
    }
  });

  it('a password PATCH takes effect at once: the old one fails, the new one works', async () => {
    const next = 'Brand-New-Pass-77?';
    const res = await api.patch(`/api/v1/mailboxes/${mailbox.blfcrypt.id}/password`, { password: next });
    assert.equal(res.status, 200, res.text);
    assert.equal(await imapLogin(mailbox.blfcrypt.address, PW), false);
    assert.equal(await imapLogin(mailbox.blfcrypt.address, next), true);
  });

  it('a deactivated mailbox can neither log in nor receive', async () => {
    assert.equal(await imapLogin(mailbox.leaver.address, PW), true);
    assert.equal((await api.patch(`/api/v1/mailboxes/${mailbox.leaver.id}`, { active: false })).status, 200);
    assert.equal(await imapLogin(mailbox.leaver.address, PW), false);
    const sent = await sendMail({ from: 'sender@outside.example', to: mailbox.leaver.address, subject: 'gone', text: 'gone' });
    assert.deepEqual(sent.rejected, [mailbox.leaver.address], sent.response);
  });

  it('a quota override makes an over-quota message bounce back to the sender', async () => {
    const res = await api.request('PUT', `/api/v1/mailboxes/${mailbox.quota.id}/overrides`, { quota_bytes: 2048 });
    assert.equal(res.status, 200, res.text);
    const marker = `quota-${Date.now()}`;
    const sent = await sendMail({ from: mailbox.argon2id.address, to: mailbox.quota.address, subject: marker, text: marker, padBytes: 20_000 });
    assert.deepEqual(sent.rejected, []);
    const bounce = await readFile(await waitForMaildirMessage(mailbox.argon2id.address, marker), 'utf8');
    assert.match(bounce, /Undelivered Mail Returned to Sender|Quota exceeded|quota/i);
  });

  it('signs mail from the domain with the API-made DKIM key, and the signature verifies against its DNS record', async () => {
    const marker = `dkim-${Date.now()}`;
    const sent = await sendMail({ from: mailbox.argon2id.address, to: mailbox.ssha512.address, subject: marker, text: 'signed body' });
    assert.deepEqual(sent.rejected, []);
    const raw = await readFile(await waitForMaildirMessage(mailbox.ssha512.address, marker), 'utf8');
    assert.match(raw, /^DKIM-Signature:[^]*?d=flow-one\.example/m);
    const good = await verifyDkim(raw, 'default', D1, dkimTxt);
    assert.deepEqual(
      good.map((r) => [r.result, r.domain, r.selector]),
      [['pass', D1, 'default']],
      JSON.stringify(good),
    );
    // Another key under the same name: the signature must not verify.
    const other = (await api.post('/api/v1/dkim', { domain: D2, selector: 'other' })).body.dns_record.value as string;
    assert.notEqual((await verifyDkim(raw, 'default', D1, other))[0].result, 'pass');
  });

  it('shows a deferred message in /queue/items; hold, release and delete through the API show in postqueue -j', async () => {
    const marker = `queue-${Date.now()}`;
    const sent = await sendMail({ from: mailbox.argon2id.address, to: 'someone@unreachable.invalid', subject: marker, text: 'stuck' });
    assert.deepEqual(sent.rejected, []);
    let item: { queue_id: string; queue_name: string } | undefined;
    for (let i = 0; i < 100 && !item; i++) {
      const res = await api.get('/api/v1/queue/items?recipient=unreachable.invalid');
      assert.equal(res.status, 200, res.text);
      item = res.body.data[0];
      if (!item) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(item, 'the message appears in the queue');
    const id = item.queue_id;
    const inQueue = async () => (await postqueueJson()).find((m) => m.queue_id === id);

    assert.equal((await api.post(`/api/v1/queue/items/${id}/hold`, {})).status, 200);
    assert.equal((await inQueue())?.queue_name, 'hold');
    assert.equal((await api.post(`/api/v1/queue/items/${id}/release`, {})).status, 200);
    assert.notEqual((await inQueue())?.queue_name, 'hold');
    assert.equal((await api.delete(`/api/v1/queue/items/${id}`)).status, 200);
    assert.equal(await inQueue(), undefined);
    assert.equal((await api.delete(`/api/v1/queue/items/${id}`)).status, 404, 'deleting what is not queued is a 404');
  });

  it('enforces a global message_size_limit change after reconcile', async () => {
    const put = await api.request('PUT', '/api/v1/config/global', { message_size_limit: 200_000 });
    assert.equal(put.status, 200, put.text);
    assert.equal((await reconcile(stack, api)).state, 'completed');
    assert.equal(postconf('message_size_limit'), '200000');
    const big = await sendMail({ from: 'sender@outside.example', to: mailbox.argon2id.address, subject: 'big', text: 'big', padBytes: 300_000 });
    assert.ok(big.rejected.length > 0 || /552|size/i.test(big.response), `a 300 kB message is refused: ${big.response}`);
    const small = await sendMail({ from: 'sender@outside.example', to: mailbox.argon2id.address, subject: 'small', text: 'y'.repeat(1000) });
    assert.deepEqual(small.rejected, []);
  });

  it('a broken setting fails the reconcile cleanly and leaves the running config intact', async () => {
    // Valid for the API, fatal for the daemon: a certificate the mail node does not have. The same PUT
    // also changes message_size_limit, so a half-applied main.cf would show.
    const put = await api.request('PUT', '/api/v1/config/global', {
      message_size_limit: 300_000,
      tls_cert_file: '/etc/mailplane-missing/cert.pem',
      tls_key_file: '/etc/mailplane-missing/key.pem',
    });
    assert.equal(put.status, 200, put.text);
    const job = await reconcile(stack, api);
    assert.equal(job.state, 'failed');
    assert.match(job.error ?? '', /\/etc\/mailplane-missing\/cert\.pem/);
    assert.ok(
      job.result?.steps?.some((st) => st.outcome === 'failed'),
      JSON.stringify(job.result),
    );
    assert.equal(postconf('message_size_limit'), '200000', 'the previous main.cf is back');
    assert.equal(postconf('smtpd_tls_cert_file'), '', 'no certificate parameter was left behind');
    const marker = `after-broken-${Date.now()}`;
    const sent = await sendMail({ from: 'sender@outside.example', to: mailbox.argon2id.address, subject: marker, text: marker });
    assert.deepEqual(sent.rejected, []);
    await waitForMaildirMessage(mailbox.argon2id.address, marker);
    // One half of the pair alone is refused by the API itself, and changes nothing.
    const half = await api.request('PUT', '/api/v1/config/global', { tls_cert_file: '/etc/ssl/cert.pem' });
    assert.equal(half.status, 400, half.text);
    assert.equal(half.body.fields[0].field, 'tls_key_file');
    assert.equal((await api.get('/api/v1/config/global')).body.tls_cert_file, '/etc/mailplane-missing/cert.pem');
    assert.equal((await api.request('PUT', '/api/v1/config/global', {})).status, 200);
    assert.equal((await reconcile(stack, api)).state, 'completed');
    assert.equal(postconf('message_size_limit'), String(25 * 1024 * 1024));
  });

  it('restarts Postfix through the API and /services/postfix reflects it', async () => {
    const before = await api.get('/api/v1/services/postfix');
    assert.equal(before.status, 200, before.text);
    assert.equal(before.body.running, true);
    const res = await api.post('/api/v1/services/postfix/restart', {});
    assert.equal(res.status, 200, res.text);
    const afterRes = await api.get('/api/v1/services/postfix');
    assert.equal(afterRes.body.running, true);
    assert.notEqual(afterRes.body.pid, before.body.pid);
    const marker = `after-restart-${Date.now()}`;
    assert.deepEqual((await sendMail({ from: 'sender@outside.example', to: mailbox.argon2id.address, subject: marker, text: marker })).rejected, []);
    await waitForMaildirMessage(mailbox.argon2id.address, marker);
  });
});
