import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../helpers/api-client.js';
import { imapLogin, imapSearchSubject, MAIL, maildirFiles, pop3Login, sendMail } from '../helpers/mail.js';
import { TestStack } from '../helpers/stack.js';

/**
 * Mailbox delivery settings in the real mail stack, read back over IMAP.
 * `forward_to` / `forward_keep_copy` act in the real Postfix (the mailstack.virtual_aliases view, read
 * live: no reload per change) and the real Dovecot: what arrives is read back over IMAP. Forwards are
 * part of the alias loop check. `vacation_enabled` / `vacation_message` act through the platform's Sieve
 * script (Pigeonhole, reading userdb fields of mailstack.users). `enabled_smtp` decides Postfix SASL
 * logins on submission (Dovecot's password_query). `require_tls_inbound` / `require_tls_client` are
 * Postfix access maps over mailstack views (reject_plaintext_session).
 */
// Maildirs (and Sieve's vacation memory in them) outlive a run: a fresh domain each time.
const D = `delivery-${randomBytes(3).toString('hex')}.example`;
const PW = 'Correct-Horse-42!';

/** Polls IMAP until the mailbox holds `count` messages with `subject` (count 0: waits a moment and checks). */
async function waitImap(user: string, subject: string, count: number, timeoutMs = 15_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = (await imapSearchSubject(user, PW, subject)).length;
    if (count > 0 && found >= count) return found;
    // Expecting none: give delivery 3 s to prove nothing arrives.
    if (count === 0 && Date.now() > end - timeoutMs + 3000) return found;
    if (Date.now() > end) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('mailbox delivery settings in the real mail stack (e2e)', () => {
  let stack: TestStack;
  let api: ApiClient;
  const box: Record<string, { id: string; address: string }> = {};

  before(async () => {
    stack = await TestStack.start('mailbox-delivery', { mailstack: true });
    api = stack.api(stack.admin.apiKey);
    assert.equal((await api.post('/api/v1/domains', { name: D })).status, 201);
    for (const local of ['boss', 'assistant', 'archive', 'loopy', 'away', 'friend', 'lister', 'later']) {
      const res = await api.post('/api/v1/mailboxes', { username: `${local}@${D}`, password: PW });
      assert.equal(res.status, 201, res.text);
      box[local] = { id: res.body.id, address: res.body.address };
    }
    await stack.reconcileSettled();
  });
  after(async () => {
    await stack?.stop();
  });

  const put = (name: string, body: Record<string, unknown>) => api.request('PUT', `/api/v1/mailboxes/${box[name].id}/overrides`, body);
  const send = async (to: string, from = 'someone@outside.example', headers?: Record<string, string>) => {
    const subject = `msg-${randomBytes(5).toString('hex')}`;
    const sent = await sendMail({ from, to, subject, text: subject, headers });
    assert.deepEqual(sent.rejected, [], sent.response);
    return subject;
  };

  it('forward_keep_copy true: the message arrives in the mailbox and at every forward', async () => {
    const res = await put('boss', { forward_to: [box.assistant.address, box.archive.address], forward_keep_copy: true });
    assert.equal(res.status, 200, res.text);
    const subject = await send(box.boss.address);
    assert.equal(await waitImap(box.assistant.address, subject, 1), 1);
    assert.equal(await waitImap(box.archive.address, subject, 1), 1);
    assert.equal(await waitImap(box.boss.address, subject, 1), 1);
  });

  it('forward_keep_copy false: only the forwards get it; the mailbox stays empty', async () => {
    assert.equal((await put('boss', { forward_keep_copy: false })).status, 200);
    const subject = await send(box.boss.address);
    assert.equal(await waitImap(box.assistant.address, subject, 1), 1);
    assert.equal(await waitImap(box.boss.address, subject, 0), 0);
  });

  it('clearing forward_to (null reverts to inheritance) delivers to the mailbox only, even with keep_copy false', async () => {
    assert.equal((await put('boss', { forward_to: null })).status, 200);
    const subject = await send(box.boss.address);
    assert.equal(await waitImap(box.boss.address, subject, 1), 1);
    assert.equal(await waitImap(box.assistant.address, subject, 0), 0);
  });

  it('a forward that would loop back (directly, or through an alias) is 400 and changes nothing', async () => {
    assert.equal((await put('assistant', { forward_to: [box.loopy.address] })).status, 200);
    const direct = await put('loopy', { forward_to: [box.assistant.address] });
    assert.equal(direct.status, 400, direct.text);
    assert.equal(direct.body.fields?.[0]?.field, 'forward_to', direct.text);
    assert.match(direct.body.fields[0].message, /loop/);
    assert.deepEqual((await api.get(`/api/v1/mailboxes/${box.loopy.id}/overrides`)).body, {});

    const self = await put('loopy', { forward_to: [box.loopy.address] });
    assert.equal(self.status, 400, self.text);

    // An alias pointing at assistant, which forwards to loopy: loopy → alias closes the cycle.
    assert.equal((await api.post('/api/v1/aliases', { source: `desk@${D}`, destinations: [box.assistant.address] })).status, 201);
    const viaAlias = await put('loopy', { forward_to: [`desk@${D}`] });
    assert.equal(viaAlias.status, 400, viaAlias.text);
    // And the alias side sees forwards too: an alias loopy-team → assistant → loopy → (forward) back is refused.
    assert.equal((await put('loopy', { forward_to: [`team@${D}`] })).status, 200);
    const alias = await api.post('/api/v1/aliases', { source: `team@${D}`, destinations: [box.assistant.address] });
    assert.equal(alias.status, 400, alias.text);
    assert.match(JSON.stringify(alias.body), /loop/);
  });

  it('bad forward_to values are 400 and change nothing', async () => {
    const before = (await api.get(`/api/v1/mailboxes/${box.archive.id}/overrides`)).body;
    for (const bad of [['not-an-address'], 'x@y.example', Array.from({ length: 51 }, (_, i) => `f${i}@x.example`)]) {
      const res = await put('archive', { forward_to: bad });
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
    }
    assert.deepEqual((await api.get(`/api/v1/mailboxes/${box.archive.id}/overrides`)).body, before);
  });

  it('vacation_enabled: the sender gets the vacation_message once per period, lists get nothing, and off means off', async () => {
    const text = `Back on Monday, ${randomBytes(3).toString('hex')}.`;
    assert.equal((await put('away', { vacation_enabled: true, vacation_message: text })).status, 200);
    assert.equal((await api.get(`/api/v1/mailboxes/${box.away.id}/effective`)).body.settings.vacation_enabled, true);

    const first = await send(box.away.address, box.friend.address);
    assert.equal(await waitImap(box.friend.address, first, 1), 1, 'one vacation reply to the sender');
    const reply = (await maildirFiles(box.friend.address)).map((f) => readFileSync(f, 'utf8')).find((m) => m.includes(first))!;
    assert.match(reply, new RegExp(text.replace(/[.]/g, '\\.')));
    assert.match(reply, /^Auto-Submitted: auto-replied/im);
    assert.equal(await waitImap(box.away.address, first, 1), 1, 'the message itself is delivered');

    const second = await send(box.away.address, box.friend.address);
    assert.equal(await waitImap(box.away.address, second, 1), 1);
    assert.equal(await waitImap(box.friend.address, second, 0), 0, 'no second reply to the same sender within the period');

    const list = await send(box.away.address, box.lister.address, { 'List-Id': '<news.lists.example>', Precedence: 'list' });
    assert.equal(await waitImap(box.away.address, list, 1), 1);
    assert.equal(await waitImap(box.lister.address, list, 0), 0, 'mailing lists get no vacation reply');

    assert.equal((await put('away', { vacation_enabled: false })).status, 200);
    const off = await send(box.away.address, box.later.address);
    assert.equal(await waitImap(box.away.address, off, 1), 1);
    assert.equal(await waitImap(box.later.address, off, 0), 0, 'vacation off: no reply');
  });

  it('a bad vacation_message is 400 and changes nothing', async () => {
    const res = await put('away', { vacation_message: 'x'.repeat(10_001) });
    assert.equal(res.status, 400, res.text);
    assert.equal((await api.get(`/api/v1/mailboxes/${box.away.id}/overrides`)).body.vacation_enabled, false);
  });

  it('enabled_smtp: false refuses the mailbox’s SMTP AUTH on submission (535); true lets it send again', async () => {
    const submit = (subject: string) =>
      sendMail({ from: box.later.address, to: box.friend.address, subject, port: MAIL.submissionPort, auth: { user: box.later.address, pass: PW } });
    const ok = await submit(`sub-${randomBytes(4).toString('hex')}`);
    assert.deepEqual(ok.rejected, [], ok.response);
    assert.equal((await put('later', { enabled_smtp: false })).status, 200);
    const refused = await submit(`sub-${randomBytes(4).toString('hex')}`);
    assert.equal(refused.responseCode, 535, refused.response);
    assert.equal((await put('later', { enabled_smtp: null })).status, 200);
    const again = await submit(`sub-${randomBytes(4).toString('hex')}`);
    assert.deepEqual(again.rejected, [], again.response);
  });

  it('enabled_pop3 and enabled_imap decide the POP3 and IMAP logins each on its own', async () => {
    assert.equal(await pop3Login(box.archive.address, PW), true, 'POP3 allowed by default');
    assert.equal(await pop3Login(box.archive.address, 'wrong-password'), false);
    assert.equal((await put('archive', { enabled_pop3: false })).status, 200);
    assert.equal(await pop3Login(box.archive.address, PW), false, 'enabled_pop3 false: POP3 refused');
    assert.equal(await imapLogin(box.archive.address, PW), true, 'IMAP still allowed');
    assert.equal((await put('archive', { enabled_pop3: null, enabled_imap: false })).status, 200);
    assert.equal(await pop3Login(box.archive.address, PW), true, 'back to inherited: POP3 allowed');
    assert.equal(await imapLogin(box.archive.address, PW), false, 'enabled_imap false: IMAP refused');
    assert.equal((await put('archive', { enabled_imap: null })).status, 200);
  });

  it('max_smtpd_rate_per_min: a client over the rate gets 421 at connect; 0 lifts the limit', async () => {
    const admin = stack.api(stack.admin.apiKey);
    // A client address of its own (127.0.0.6): anvil counts connections per client.
    const connectFrom6 = () => sendMail({ from: 'rate@outside.example', to: box.friend.address, subject: 'rate', text: 'x', localAddress: '127.0.0.6' });
    try {
      assert.equal((await admin.request('PUT', '/api/v1/config/global', { max_smtpd_rate_per_min: 3 })).status, 200);
      await stack.reconcile();
      for (let i = 0; i < 3; i++) assert.deepEqual((await connectFrom6()).rejected, [], `connection ${i + 1}`);
      const fourth = await connectFrom6().then(
        (r) => r.response,
        (e: Error) => e.message,
      );
      assert.match(fourth, /421 .*too many connections/i);
      assert.deepEqual((await sendMail({ from: 'rate@outside.example', to: box.friend.address, subject: 'other client', text: 'x' })).rejected, []);
    } finally {
      assert.equal((await admin.request('PUT', '/api/v1/config/global', {})).status, 200);
      await stack.reconcile();
    }
    assert.deepEqual((await connectFrom6()).rejected, [], 'max_smtpd_rate_per_min 0: no limit');
  });

  it('require_tls_inbound (domain) and require_tls_client (mailbox): plaintext is refused with 554, STARTTLS is accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-delivery-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=mail.mailplane.test', '-keyout', key, '-out', cert], {
      stdio: 'ignore',
    });
    const admin = stack.api(stack.admin.apiKey);
    const reconcile = () => stack.reconcile();
    try {
      assert.equal((await admin.request('PUT', '/api/v1/config/global', { tls_cert_file: cert, tls_key_file: key })).status, 200);
      await reconcile();

      const inbound = await api.request('PUT', `/api/v1/domains/${D}/overrides`, { require_tls_inbound: true });
      assert.equal(inbound.status, 200, inbound.text);
      const plain = await sendMail({ from: 'someone@outside.example', to: box.friend.address, subject: 'plain', text: 'plain' });
      assert.deepEqual(plain.rejected, [box.friend.address], plain.response);
      assert.match(Object.values(plain.rejectedResponses)[0] ?? plain.response, /^554 .*encryption/i);
      const subject = `tls-${randomBytes(4).toString('hex')}`;
      const tls = await sendMail({ from: 'someone@outside.example', to: box.friend.address, subject, text: subject, starttls: true });
      assert.deepEqual(tls.rejected, [], tls.response);
      assert.equal(await waitImap(box.friend.address, subject, 1), 1);
      assert.equal((await api.request('PUT', `/api/v1/domains/${D}/overrides`, { require_tls_inbound: null })).status, 200);
      const plainAgain = await sendMail({ from: 'someone@outside.example', to: box.friend.address, subject: 'plain again', text: 'x' });
      assert.deepEqual(plainAgain.rejected, [], plainAgain.response);

      assert.equal((await put('later', { require_tls_client: true })).status, 200);
      const submit = { from: box.later.address, to: 'someone@outside.example', port: MAIL.submissionPort, auth: { user: box.later.address, pass: PW } };
      const plainSubmit = await sendMail({ ...submit, subject: 'plain submit' });
      assert.equal(plainSubmit.accepted.length, 0, plainSubmit.response);
      assert.match(Object.values(plainSubmit.rejectedResponses)[0] ?? plainSubmit.response, /^554 .*encryption/i);
      const tlsSubmit = await sendMail({ ...submit, subject: 'tls submit', starttls: true });
      assert.deepEqual(tlsSubmit.rejected, [], tlsSubmit.response);
      // Another mailbox of the domain is not affected.
      const other = await sendMail({ ...submit, from: box.friend.address, auth: { user: box.friend.address, pass: PW }, subject: 'other' });
      assert.deepEqual(other.rejected, [], other.response);

      // tls_min_version: with TLSv1.3 as the floor a TLS 1.2 client cannot even start TLS; TLS 1.3 still can.
      const tls12 = { from: 'someone@outside.example', to: box.friend.address, subject: 'tls12', text: 'x', starttls: true } as const;
      assert.deepEqual((await sendMail({ ...tls12, tlsMaxVersion: 'TLSv1.2' })).rejected, [], 'TLS 1.2 works at the default floor');
      const floor = await admin.request('PUT', '/api/v1/config/global', { tls_cert_file: cert, tls_key_file: key, tls_min_version: 'TLSv1.3' });
      assert.equal(floor.status, 200, floor.text);
      await reconcile();
      await assert.rejects(sendMail({ ...tls12, tlsMaxVersion: 'TLSv1.2' }), /version|protocol|handshake|alert|ssl/i, 'TLS 1.2 refused');
      assert.deepEqual((await sendMail({ ...tls12, tlsMaxVersion: 'TLSv1.3' })).rejected, [], 'TLS 1.3 accepted');
    } finally {
      await put('later', { require_tls_client: null });
      await api.request('PUT', `/api/v1/domains/${D}/overrides`, { require_tls_inbound: null });
      await admin.request('PUT', '/api/v1/config/global', { tls_cert_file: null, tls_key_file: null });
      await reconcile();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
