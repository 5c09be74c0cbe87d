import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../helpers/api-client.js';
import { maildirOf, sendMail, type SendResult } from '../helpers/mail.js';
import { TestStack } from '../helpers/stack.js';

/**
 * The anti-spam fields in the real mail stack: Rspamd as Postfix's milter (spam score, reject at SMTP
 * time, greylisting, the platform white/blacklists, weighted DNSBLs, ClamAV) and the platform's Sieve
 * script at delivery (tag, junk, auto-junk per mailbox). What arrives is read from the Maildirs.
 *
 * A message without Date and Message-ID scores 3.5 in Rspamd (MISSING_DATE 1 + MISSING_MID 2.5) from a
 * loopback client: thresholds of 3 make it spam, 50 does not. It is sent from 127.0.0.5: Postfix adds
 * the missing headers for clients on its own interface (local_header_rewrite_clients), not for others. GTUBE is refused by Rspamd 3.4 itself
 * before any rule runs (it cannot be turned off before Rspamd 3.8), so it proves the SMTP-time path only.
 */
const RUN = randomBytes(3).toString('hex');
const D = `spam-${RUN}.example`;
const R = `refuse-${RUN}.example`;
const PW = 'Correct-Horse-42!';
const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

const marker = () => `m-${randomBytes(5).toString('hex')}`;
/** Scores 3.5: no Date, no Message-ID. */
const sloppy = (from: string, to: string, subject: string, body = subject) => `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\n\r\n${body}\r\n`;

/** Files of one Maildir folder ('' = INBOX, 'Junk' = .Junk). */
async function folderFiles(address: string, folder: '' | 'Junk'): Promise<string[]> {
  const base = folder ? join(maildirOf(address), `.${folder}`) : maildirOf(address);
  const out: string[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = join(base, sub);
    for (const f of await readdir(dir).catch(() => [] as string[])) out.push(join(dir, f));
  }
  return out;
}

/** The message holding `mark` in that folder, waiting up to `timeoutMs`; null when none came (expecting none: 3 s). */
async function findMessage(address: string, folder: '' | 'Junk', mark: string, timeoutMs = 15_000): Promise<string | null> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const f of await folderFiles(address, folder)) {
      const text = await readFile(f, 'utf8').catch(() => '');
      if (text.includes(mark)) return text;
    }
    if (Date.now() > end) return null;
    await new Promise((r) => setTimeout(r, 150));
  }
}
const header = (raw: string, name: string) => new RegExp(`^${name}: *(.*)$`, 'mi').exec(raw.split(/\r?\n\r?\n/)[0])?.[1] ?? null;
const refusal = (r: SendResult) => Object.values(r.rejectedResponses)[0] ?? r.response;

describe('anti-spam fields in the real mail stack: Rspamd, ClamAV, greylisting, lists, DNSBL, Sieve (e2e)', () => {
  let stack: TestStack;
  let api: ApiClient;
  const box: Record<string, { id: string; address: string }> = {};

  before(async () => {
    stack = await TestStack.start('antispam-delivery', { mailstack: true });
    api = stack.api(stack.admin.apiKey);
    for (const d of [D, R]) assert.equal((await api.post('/api/v1/domains', { name: d })).status, 201);
    const boxes: [string, string][] = [
      ['tagger', D],
      ['junker', D],
      ['calm', D],
      ['lenient', D],
      ['autojunk', D],
      ['victim', R],
      ['rescued', R],
      ['grey', R],
    ];
    for (const [local, domain] of boxes) {
      const res = await api.post('/api/v1/mailboxes', { username: `${local}@${domain}`, password: PW });
      assert.equal(res.status, 201, res.text);
      box[local] = { id: res.body.id, address: res.body.address };
    }
    await stack.reconcile();
  });
  after(async () => {
    await stack?.stop();
  });

  const put = async (name: string, body: Record<string, unknown>) => {
    const res = await api.request('PUT', `/api/v1/mailboxes/${box[name].id}/overrides`, body);
    assert.equal(res.status, 200, res.text);
  };
  const putDomain = async (domain: string, body: Record<string, unknown>) => {
    const res = await api.request('PUT', `/api/v1/domains/${domain}/overrides`, body);
    assert.equal(res.status, 200, res.text);
  };
  const putAntispam = async (body: Record<string, unknown>) => {
    const res = await api.request('PUT', '/api/v1/config/antispam', body);
    assert.equal(res.status, 200, res.text);
  };
  const sendSloppy = async (to: string, from = `sender-${RUN}@outside.example`) => {
    const mark = marker();
    return { mark, sent: await sendMail({ from, to, raw: sloppy(from, to, mark), localAddress: '127.0.0.5' }) };
  };

  it('spam_threshold and spam_action act per mailbox at delivery: tag rewrites the subject, junk files into Junk, none leaves it', async () => {
    await put('tagger', { spam_threshold: 3, spam_action: 'tag' });
    await put('junker', { spam_threshold: 3, spam_action: 'junk' });
    await put('calm', { spam_threshold: 3, spam_action: 'none' });
    await put('lenient', { spam_threshold: 50, spam_action: 'junk' });

    const tag = await sendSloppy(box.tagger.address);
    assert.deepEqual(tag.sent.rejected, [], tag.sent.response);
    const tagged = await findMessage(box.tagger.address, '', tag.mark);
    assert.ok(tagged, 'the tagged message is in INBOX');
    assert.equal(header(tagged, 'Subject'), `[SPAM] ${tag.mark}`);
    assert.equal(header(tagged, 'X-Spam'), 'Yes');
    assert.equal(header(tagged, 'X-Mailplane-Spam-Score'), '350');

    const junk = await sendSloppy(box.junker.address);
    assert.ok(await findMessage(box.junker.address, 'Junk', junk.mark), 'junk: the message is in Junk');
    assert.equal(await findMessage(box.junker.address, '', junk.mark, 0), null, 'junk: nothing in INBOX');

    const none = await sendSloppy(box.calm.address);
    const kept = await findMessage(box.calm.address, '', none.mark);
    assert.ok(kept, 'none: the message is in INBOX');
    assert.equal(header(kept, 'Subject'), none.mark);

    const low = await sendSloppy(box.lenient.address);
    const untouched = await findMessage(box.lenient.address, '', low.mark);
    assert.ok(untouched, 'below the threshold: INBOX');
    assert.equal(header(untouched, 'Subject'), low.mark);

    // A well-formed message (Date, Message-ID: score 0) is not spam for the junk mailbox either.
    const clean = marker();
    assert.deepEqual((await sendMail({ from: `ok-${RUN}@outside.example`, to: box.junker.address, subject: clean, text: clean })).rejected, []);
    assert.ok(await findMessage(box.junker.address, '', clean), 'a clean message stays in INBOX');
  });

  it('auto_junk_threshold files mail at or above it into Junk whatever spam_action says', async () => {
    await put('autojunk', { spam_threshold: 50, spam_action: 'none', auto_junk_threshold: 3 });
    const m = await sendSloppy(box.autojunk.address);
    assert.ok(await findMessage(box.autojunk.address, 'Junk', m.mark), 'auto-junk: in Junk');
    await put('autojunk', { auto_junk_threshold: 50 });
    const again = await sendSloppy(box.autojunk.address);
    assert.ok(await findMessage(box.autojunk.address, '', again.mark), 'above the new threshold: INBOX');
  });

  it('spam_action reject refuses at SMTP time (5xx with the score); a mailbox override takes its mailbox out; GTUBE is refused', async () => {
    await putDomain(R, { spam_threshold: 3, spam_action: 'reject' });
    await put('rescued', { spam_action: 'junk' });
    await stack.reconcile();

    const refused = await sendSloppy(box.victim.address);
    assert.deepEqual(refused.sent.rejected, [box.victim.address]);
    assert.match(refusal(refused.sent), /^554 5\.7\.1 Message refused as spam \(score 3\.50, limit 3\.00\)/);

    const rescued = await sendSloppy(box.rescued.address);
    assert.deepEqual(rescued.sent.rejected, [], rescued.sent.response);
    assert.ok(await findMessage(box.rescued.address, 'Junk', rescued.mark), 'the mailbox override (junk) files it into Junk');

    const gtube = await sendMail({ from: `g-${RUN}@outside.example`, to: box.victim.address, subject: 'gtube', text: GTUBE });
    assert.deepEqual(gtube.rejected, [box.victim.address]);
    assert.match(refusal(gtube), /^554 /);

    await putDomain(R, { spam_threshold: null, spam_action: null });
    await stack.reconcile();
    const back = await sendSloppy(box.victim.address);
    assert.deepEqual(back.sent.rejected, [], back.sent.response);
  });

  it('clamav_action: EICAR is refused (reject), delivered with X-Mailplane-Virus (tag), or delivered as is (none)', async () => {
    const virus = (to: string, mark: string) => sendMail({ from: `v-${RUN}@outside.example`, to, subject: mark, text: `${mark}\n${EICAR}\n` });
    const m1 = marker();
    const rejected = await virus(box.victim.address, m1);
    assert.deepEqual(rejected.rejected, [box.victim.address]);
    assert.match(refusal(rejected), /^554 5\.7\.1 Virus found: Eicar-Test-Signature/);

    try {
      await putDomain(R, { clamav_action: 'tag' });
      await stack.reconcile();
      const m2 = marker();
      assert.deepEqual((await virus(box.victim.address, m2)).rejected, []);
      const tagged = await findMessage(box.victim.address, '', m2);
      assert.ok(tagged, 'tag: delivered');
      assert.match(header(tagged, 'X-Mailplane-Virus') ?? '', /^Eicar-Test-Signature/);

      await putDomain(R, { clamav_action: 'none' });
      await stack.reconcile();
      const m3 = marker();
      assert.deepEqual((await virus(box.victim.address, m3)).rejected, []);
      const plain = await findMessage(box.victim.address, '', m3);
      assert.ok(plain, 'none: delivered');
      assert.equal(header(plain, 'X-Mailplane-Virus'), null);
    } finally {
      await putDomain(R, { clamav_action: null });
      await stack.reconcile();
    }
  });

  it('greylisting: the first attempt gets 4xx, the retry after greylist_delay_seconds is accepted; other domains and whitelisted senders pass at once', async () => {
    try {
      await putAntispam({ greylist_enabled: true, greylist_delay_seconds: 2 });
      await putDomain(R, { greylisting_enabled: true });
      const white = await api.post('/api/v1/antispam/whitelist', { entry_type: 'email', value: `friend-${RUN}@outside.example` });
      assert.equal(white.status, 201, white.text);
      await stack.reconcile();

      const from = `new-${RUN}@outside.example`;
      const mark = marker();
      const first = await sendMail({ from, to: box.grey.address, subject: mark, text: mark });
      assert.deepEqual(first.rejected, [box.grey.address]);
      assert.match(refusal(first), /^451 4\.7\.1 Try again later/);
      await new Promise((r) => setTimeout(r, 2500));
      const retry = await sendMail({ from, to: box.grey.address, subject: mark, text: mark });
      assert.deepEqual(retry.rejected, [], retry.response);
      assert.ok(await findMessage(box.grey.address, '', mark), 'the retry is delivered');

      // The whitelist bypasses greylisting (and spam scoring).
      const friend = await sendMail({ from: `friend-${RUN}@outside.example`, to: box.grey.address, subject: 'friend', text: 'friend' });
      assert.deepEqual(friend.rejected, [], friend.response);
      // A domain without greylisting_enabled is not greylisted.
      const other = await sendMail({ from: `other-${RUN}@outside.example`, to: box.calm.address, subject: 'other', text: 'other' });
      assert.deepEqual(other.rejected, [], other.response);

      // Greylisting needs the global switch too.
      await putAntispam({});
      await stack.reconcile();
      const off = await sendMail({ from: `late-${RUN}@outside.example`, to: box.grey.address, subject: 'off', text: 'off' });
      assert.deepEqual(off.rejected, [], off.response);
    } finally {
      await putAntispam({});
      await putDomain(R, { greylisting_enabled: null });
      const list = await api.get('/api/v1/antispam/whitelist');
      for (const e of list.body.data ?? []) await api.request('DELETE', `/api/v1/antispam/whitelist/${e.id}`);
      await stack.reconcile();
    }
  });

  it('the platform blacklist refuses a sender address and a sender domain with 5xx; the whitelist lets spam through a reject domain', async () => {
    try {
      await putDomain(R, { spam_threshold: 3, spam_action: 'reject' });
      for (const [entry_type, value] of [
        ['email', `spammer-${RUN}@outside.example`],
        ['domain', `bad-${RUN}.example`],
      ]) {
        const res = await api.post('/api/v1/antispam/blacklist', { entry_type, value });
        assert.equal(res.status, 201, res.text);
      }
      assert.equal((await api.post('/api/v1/antispam/whitelist', { entry_type: 'email', value: `trusted-${RUN}@outside.example` })).status, 201);
      await stack.reconcile();

      for (const from of [`spammer-${RUN}@outside.example`, `anyone@bad-${RUN}.example`]) {
        const res = await sendMail({ from, to: box.calm.address, subject: 'hi', text: 'hi' });
        assert.deepEqual(res.rejected, [box.calm.address], from);
        assert.match(refusal(res), /^554 5\.7\.1 Refused by the platform blacklist/);
      }
      const trusted = await sendSloppy(box.victim.address, `trusted-${RUN}@outside.example`);
      assert.deepEqual(trusted.sent.rejected, [], trusted.sent.response);
      assert.ok(await findMessage(box.victim.address, '', trusted.mark), 'the whitelisted sender bypasses spam scoring');
    } finally {
      for (const list of ['blacklist', 'whitelist']) {
        const entries = await api.get(`/api/v1/antispam/${list}`);
        for (const e of entries.body.data ?? []) await api.request('DELETE', `/api/v1/antispam/${list}/${e.id}`);
      }
      await putDomain(R, { spam_threshold: null, spam_action: null });
      await stack.reconcile();
    }
    const unlisted = await sendMail({ from: `spammer-${RUN}@outside.example`, to: box.calm.address, subject: 'hi', text: 'hi' });
    assert.deepEqual(unlisted.rejected, [], 'deleting the entry lifts the block');
  });

  it('dnsbl_sites and dnsbl_threshold: a client listed by as many zones as the threshold is refused; below it, or unlisted, is accepted', async () => {
    const sites = ['dnsbl-a.mailplane.test', 'dnsbl-b.mailplane.test'];
    // The mail stack's loopback DNS lists 127.0.0.9 in both zones (scripts/lib/antispam-stack.sh).
    const fromListed = (mark: string) =>
      sendMail({ from: `dnsbl-${RUN}@outside.example`, to: box.calm.address, subject: mark, text: mark, localAddress: '127.0.0.9' });
    try {
      await putAntispam({ dnsbl_enabled: true, dnsbl_sites: sites, dnsbl_threshold: 2 });
      await stack.reconcile();
      const listed = await fromListed(marker());
      assert.deepEqual(listed.rejected, [box.calm.address]);
      assert.match(refusal(listed), /^554 5\.7\.1 Client 127\.0\.0\.9 is listed by 2 DNS block list/);
      const unlisted = await sendMail({ from: `dnsbl-${RUN}@outside.example`, to: box.calm.address, subject: 'ok', text: 'ok' });
      assert.deepEqual(unlisted.rejected, [], unlisted.response);

      await putAntispam({ dnsbl_enabled: true, dnsbl_sites: sites, dnsbl_threshold: 3 });
      await stack.reconcile();
      const below = await fromListed(marker());
      assert.deepEqual(below.rejected, [], below.response);
    } finally {
      await putAntispam({});
      await stack.reconcile();
    }
    const off = await fromListed(marker());
    assert.deepEqual(off.rejected, [], 'dnsbl_enabled false: no DNSBL check');
  });

  it('a domain’s own lists: its tenant admin manages them, they act on mail to that domain only; other tenants get 404, platform lists stay platform-only', async () => {
    const t = await stack.tenantAdmin(`as-t-${RUN}`);
    const other = await stack.tenantAdmin(`as-o-${RUN}`);
    const T = `own-${RUN}.example`;
    const tApi = stack.api(t.token);
    assert.equal((await tApi.post('/api/v1/domains', { name: T })).status, 201);
    const mbx = await tApi.post('/api/v1/mailboxes', { username: `owner@${T}`, password: PW });
    assert.equal(mbx.status, 201, mbx.text);
    const spammer = `pest-${RUN}@outside.example`;

    const black = await tApi.post(`/api/v1/domains/${T}/antispam/blacklist`, { entry_type: 'email', value: spammer, comment: 'ours only' });
    assert.equal(black.status, 201, black.text);
    assert.equal(black.headers.get('location'), `/api/v1/domains/${black.body.domain_id}/antispam/blacklist/${black.body.id}`);
    assert.equal((await tApi.post(`/api/v1/domains/${T}/antispam/blacklist`, { entry_type: 'email', value: spammer })).status, 409);
    assert.equal((await tApi.post(`/api/v1/domains/${T}/antispam/greylist`, { entry_type: 'email', value: spammer })).status, 404);
    const white = await tApi.post(`/api/v1/domains/${T}/antispam/whitelist`, { entry_type: 'cidr', value: '127.0.0.0/29' });
    assert.equal(white.status, 201, white.text);
    const listed = await tApi.get(`/api/v1/domains/${T}/antispam/blacklist`);
    assert.deepEqual(
      listed.body.data.map((e: { value: string; domain_id: string }) => [e.value, e.domain_id]),
      [[spammer, black.body.domain_id]],
    );
    // Not in the platform list, and not reachable by anyone else.
    assert.equal((await api.get('/api/v1/antispam/blacklist')).body.data.length, 0);
    assert.equal((await tApi.get('/api/v1/antispam/blacklist')).status, 403);
    assert.equal((await stack.api(other.token).get(`/api/v1/domains/${T}/antispam/blacklist`)).status, 404);
    assert.equal((await stack.api(other.token).request('DELETE', `/api/v1/domains/${T}/antispam/blacklist/${black.body.id}`)).status, 404);
    assert.equal((await tApi.request('PUT', `/api/v1/domains/${T}/overrides`, { spam_threshold: 3, spam_action: 'reject' })).status, 200);
    await stack.reconcile();

    const refused = await sendMail({ from: spammer, to: `owner@${T}`, subject: 'x', text: 'x' });
    assert.deepEqual(refused.rejected, [`owner@${T}`]);
    assert.match(refusal(refused), new RegExp(`^554 5\\.7\\.1 Refused by the blacklist of ${T.replace(/\./g, '\\.')}`));
    const elsewhere = await sendMail({ from: spammer, to: box.calm.address, subject: 'x', text: 'x' });
    assert.deepEqual(elsewhere.rejected, [], 'another domain does not use this list');
    // 127.0.0.5 is in the whitelisted 127.0.0.0/29: spam that the domain would refuse gets through.
    const sloppyMail = await sendSloppy(`owner@${T}`);
    assert.deepEqual(sloppyMail.sent.rejected, [], sloppyMail.sent.response);

    assert.equal((await tApi.request('DELETE', `/api/v1/domains/${T}/antispam/blacklist/${black.body.id}`)).status, 200);
    assert.equal((await tApi.request('DELETE', `/api/v1/domains/${T}/antispam/whitelist/${white.body.id}`)).status, 200);
    await stack.reconcile();
    assert.deepEqual((await sendMail({ from: spammer, to: `owner@${T}`, subject: 'y', text: 'y' })).rejected, [], 'deleted: the sender passes');
    const again = await sendSloppy(`owner@${T}`);
    assert.deepEqual(again.sent.rejected, [`owner@${T}`], 'the whitelist is gone: the domain refuses spam again');
  });
});
