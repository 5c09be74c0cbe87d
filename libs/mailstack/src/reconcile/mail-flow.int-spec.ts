import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  dkimTxtRecord,
  imapLogin,
  maildirHas,
  postqueueJson,
  type QueueItem,
  readRawMessage,
  sendMail,
  verifyDkim,
  waitForMaildirMessage,
  MAIL,
} from '../../../../test/helpers/mail.js';
import { requireBinary, runCommand } from '../exec/command-runner.js';
import { reconcileMailstack } from './reconcile.js';
import { createMailFixture, type MailFixture, PATHS, re, waitForLog } from './reconcile.int-fixture.js';

/** Mail through the real daemons once reconcile has pointed them at a private database. */
describe('mail flow after reconcile (real Postfix, Dovecot, OpenDKIM)', () => {
  let fx: MailFixture;
  let domain: string;
  let bulkDomain: string;
  let selector: string;
  let privateKey: string;
  let pw: MailFixture['pw'];

  before(async () => {
    fx = await createMailFixture('mailflow');
    ({ domain, bulkDomain, selector, privateKey, pw } = fx);
    await reconcileMailstack(fx.input, PATHS);
  });
  after(async () => {
    await fx?.cleanup();
  });

  it('delivers to a mailbox, an alias and the catch-all through Dovecot LMTP', async () => {
    const m = randomBytes(6).toString('hex');
    const r1 = await sendMail({ from: `sender@${domain}`, to: `alice@${domain}`, subject: `direct ${m}` });
    assert.deepEqual(r1.accepted, [`alice@${domain}`], r1.response);
    const r2 = await sendMail({ from: `sender@${domain}`, to: `team@${domain}`, subject: `alias ${m}` });
    assert.deepEqual(r2.accepted, [`team@${domain}`], r2.response);
    const r3 = await sendMail({ from: `sender@${domain}`, to: `nobody-here@${domain}`, subject: `catchall ${m}` });
    assert.deepEqual(r3.accepted, [`nobody-here@${domain}`], r3.response);
    await waitForMaildirMessage(`alice@${domain}`, `direct ${m}`);
    await waitForMaildirMessage(`alice@${domain}`, `alias ${m}`);
    await waitForMaildirMessage(`bob@${domain}`, `catchall ${m}`);
    // The catch-all does not swallow mail for existing mailboxes, nor the alias go to bob.
    assert.equal(await maildirHas(`bob@${domain}`, `direct ${m}`), false);
    assert.equal(await maildirHas(`bob@${domain}`, `alias ${m}`), false);
    const delivered = await waitForLog(new RegExp(`to=<alice@${re(domain)}>.*relay=[^,]*dovecot-lmtp.*status=sent`));
    assert.match(delivered, /status=sent/);
  });

  it('refuses an unknown recipient of a domain without catch-all, and reports it', async () => {
    const r = await sendMail({ from: 'x@example.net', to: [`alice@${domain}`, `nobody@${bulkDomain}`] });
    assert.deepEqual(r.accepted, [`alice@${domain}`]);
    assert.deepEqual(r.rejected, [`nobody@${bulkDomain}`]);
    assert.match(r.rejectedResponses[`nobody@${bulkDomain}`], /^550 5\.1\.1 .*User unknown/);
  });

  it('mail for other domains is relayed from loopback but defers safely (nothing leaves the box)', async () => {
    const rcpt = `someone-${randomBytes(4).toString('hex')}@example.net`;
    const r = await sendMail({ from: `alice@${domain}`, to: rcpt });
    assert.deepEqual(r.accepted, [rcpt], r.response);
    let item: QueueItem | undefined;
    for (let i = 0; i < 100 && !item?.recipients[0].delay_reason; i++) {
      item = (await postqueueJson()).find((q) => q.recipients.some((x) => x.address === rcpt));
      if (!item?.recipients[0].delay_reason) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(item, 'queued');
    assert.equal(item.queue_id, r.queueId);
    assert.equal(item.sender, `alice@${domain}`);
    assert.match(item.recipients[0].delay_reason ?? '', /127\.0\.0\.1\]:9/);
    const del = await runCommand(requireBinary('postsuper', PATHS.binPath), ['-d', item.queue_id]);
    assert.match(del.stderr, /Deleted: 1 message/);
  });

  it('IMAP login works with the right password only, and not for a mailbox with IMAP disabled', async () => {
    assert.equal(await imapLogin(`alice@${domain}`, pw.alice), true, 'ARGON2ID hash');
    assert.equal(await imapLogin(`bob@${domain}`, pw.bob), true, 'SSHA512 hash');
    assert.equal(await imapLogin(`alice@${domain}`, 'wrong-password'), false);
    assert.equal(await imapLogin(`nobody@${domain}`, pw.alice), false);
    assert.equal(await imapLogin(`carol@${domain}`, pw.carol), false, 'enabled_imap false');
    // The password itself is right: SMTP AUTH (service smtp) still accepts it.
    const sub = await sendMail({
      from: `carol@${domain}`,
      to: `alice@${domain}`,
      port: MAIL.submissionPort,
      auth: { user: `carol@${domain}`, pass: pw.carol },
    });
    assert.deepEqual(sub.accepted, [`alice@${domain}`], sub.response);
  });

  it('a message over the mailbox quota bounces (LMTP 552 5.2.2) and is not stored', async () => {
    const m = randomBytes(6).toString('hex');
    const r = await sendMail({ from: `alice@${domain}`, to: `bob@${domain}`, subject: `big ${m}`, padBytes: 40_000 });
    assert.ok(r.queueId, r.response);
    const line = await waitForLog(new RegExp(`${r.queueId}: to=<bob@${re(domain)}>.*status=bounced`));
    assert.match(line, /5\.2\.2/);
    assert.equal(await maildirHas(`bob@${domain}`, `big ${m}`), false);
  });

  it('signs mail from the domain with the key; the signature verifies against its public part', async () => {
    const m = randomBytes(6).toString('hex');
    await sendMail({ from: `alice@${domain}`, to: `alice@${domain}`, subject: `dkim ${m}` });
    const raw = await readRawMessage(await waitForMaildirMessage(`alice@${domain}`, `dkim ${m}`));
    assert.match(raw.toString(), new RegExp(`^DKIM-Signature:.*d=${re(domain)};`, 'ms'));
    const checks = await verifyDkim(raw, selector, domain, dkimTxtRecord(privateKey));
    assert.deepEqual(
      checks.map((c) => [c.result, c.domain, c.selector]),
      [['pass', domain, selector]],
    );
    // Another key's public part does not verify it.
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    assert.equal((await verifyDkim(raw, selector, domain, dkimTxtRecord(other.privateKey)))[0].result, 'fail');
  });
});
