import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../helpers/api-client.js';
import { MAIL, maildirHas, sendMail, waitForMaildirMessage, type SendResult } from '../helpers/mail.js';
import { TestStack } from '../helpers/stack.js';

/**
 * max_send_per_day, max_recipients_per_message and message_size_limit (mailbox and domain) at SMTP time,
 * through the real Postfix and the policy service (apps/policy-service, Postfix policy delegation,
 * counters in Redis). Limits are read with no cache here (POLICY_CACHE_MS=0), so each change acts at once.
 */
const RUN = randomBytes(3).toString('hex');
const D = `limits-${RUN}.example`;
const SMALL = `small-${RUN}.example`;
const PW = 'Correct-Horse-42!';
const refusal = (r: SendResult) => Object.values(r.rejectedResponses)[0] ?? r.response;

describe('sending limits at SMTP time: the policy service behind the real Postfix (e2e)', () => {
  let stack: TestStack;
  let api: ApiClient;
  const box: Record<string, { id: string; address: string }> = {};

  before(async () => {
    stack = await TestStack.start('sending-limits', { mailstack: true, env: { POLICY_CACHE_MS: '0' } });
    api = stack.api(stack.admin.apiKey);
    for (const d of [D, SMALL]) assert.equal((await api.post('/api/v1/domains', { name: d })).status, 201);
    for (const [local, domain] of [
      ['sender', D],
      ['chatty', D],
      ['r1', D],
      ['r2', D],
      ['r3', D],
      ['tiny', D],
      ['big', SMALL],
    ]) {
      const res = await api.post('/api/v1/mailboxes', { username: `${local}@${domain}`, password: PW });
      assert.equal(res.status, 201, res.text);
      box[local] = { id: res.body.id, address: res.body.address };
    }
  });
  after(async () => {
    await stack?.stop();
  });

  const put = async (name: string, body: Record<string, unknown>) => {
    const res = await api.request('PUT', `/api/v1/mailboxes/${box[name].id}/overrides`, body);
    assert.equal(res.status, 200, res.text);
  };
  const submit = (name: string, to: string | string[], extra: { subject?: string; padBytes?: number } = {}) =>
    sendMail({
      from: box[name].address,
      to,
      port: MAIL.submissionPort,
      auth: { user: box[name].address, pass: PW },
      subject: extra.subject ?? `m-${randomBytes(4).toString('hex')}`,
      text: 'hello',
      padBytes: extra.padBytes,
    });

  it('max_recipients_per_message: the recipient over the cap gets 452 with the reason; the others are accepted', async () => {
    await put('sender', { max_recipients_per_message: 2 });
    const subject = `cap-${RUN}`;
    const res = await submit('sender', [box.r1.address, box.r2.address, box.r3.address], { subject });
    assert.deepEqual(res.accepted.sort(), [box.r1.address, box.r2.address].sort(), res.response);
    assert.deepEqual(res.rejected, [box.r3.address]);
    assert.match(res.rejectedResponses[box.r3.address] ?? '', /^452 4\.5\.3 .*Too many recipients: sender@\S+ may send to at most 2 per message/);
    await waitForMaildirMessage(box.r2.address, subject);
    assert.equal(await maildirHas(box.r3.address, subject), false);

    await put('sender', { max_recipients_per_message: null });
    const all = await submit('sender', [box.r1.address, box.r2.address, box.r3.address]);
    assert.deepEqual(all.rejected, [], 'back to the default (100): all three');
  });

  it('max_send_per_day: the (N+1)th message of the day gets 450 and is not counted; raising the limit lets it through', async () => {
    await put('chatty', { max_send_per_day: 2 });
    for (let i = 0; i < 2; i++) assert.deepEqual((await submit('chatty', box.r1.address)).rejected, [], `message ${i + 1}`);
    const third = await submit('chatty', box.r1.address);
    assert.deepEqual(third.accepted, []);
    assert.match(refusal(third), /^450 4\.7\.1 .*Daily sending limit reached: chatty@\S+ may send 2 messages per day/);
    const again = await submit('chatty', box.r1.address);
    assert.match(refusal(again), /^450 4\.7\.1/, 'still refused: refusals are not counted, the limit is');
    await put('chatty', { max_send_per_day: 3 });
    assert.deepEqual((await submit('chatty', box.r1.address)).rejected, [], 'the third fits the new limit');
    assert.match(refusal(await submit('chatty', box.r1.address)), /^450 4\.7\.1 .* 3 messages per day/);
    await put('chatty', { max_send_per_day: 0 });
    assert.deepEqual((await submit('chatty', box.r1.address)).rejected, [], '0 = unlimited');
  });

  it('message_size_limit: a mailbox’s and a domain’s limit refuse bigger mail with 552 naming the limit; the sender’s own limit holds too', async () => {
    await put('tiny', { message_size_limit: 4096 });
    const toTiny = await sendMail({ from: `far-${RUN}@outside.example`, to: box.tiny.address, subject: 'big', padBytes: 8000 });
    assert.deepEqual(toTiny.accepted, []);
    assert.match(refusal(toTiny), new RegExp(`^552 5\\.3\\.4 .*Message too big for ${box.tiny.address.replace(/\./g, '\\.')} \\(limit 4096 bytes\\)`));
    const smallOk = await sendMail({ from: `far-${RUN}@outside.example`, to: box.tiny.address, subject: 'small', text: 'x' });
    assert.deepEqual(smallOk.rejected, [], smallOk.response);

    assert.equal((await api.request('PUT', `/api/v1/domains/${SMALL}/overrides`, { message_size_limit: 5000 })).status, 200);
    const toSmall = await sendMail({ from: `far-${RUN}@outside.example`, to: box.big.address, subject: 'big', padBytes: 9000 });
    assert.match(refusal(toSmall), /^552 5\.3\.4 .*Message too big for /);
    // The other domain keeps the global limit.
    assert.deepEqual((await sendMail({ from: `far-${RUN}@outside.example`, to: box.r1.address, subject: 'big', padBytes: 9000 })).rejected, []);

    await put('sender', { message_size_limit: 3000 });
    const out = await submit('sender', box.r2.address, { padBytes: 6000 });
    assert.match(refusal(out), new RegExp(`^552 5\\.3\\.4 .*Message too big for ${box.sender.address.replace(/\./g, '\\.')} \\(limit 3000 bytes\\)`));
    await put('sender', { message_size_limit: null });
    assert.deepEqual((await submit('sender', box.r2.address, { padBytes: 6000 })).rejected, []);
  });

  it('bad limit values are 400 and change nothing', async () => {
    for (const bad of [{ max_send_per_day: -1 }, { max_recipients_per_message: 0 }, { message_size_limit: 10 }, { max_send_per_day: 'many' }]) {
      const res = await api.request('PUT', `/api/v1/mailboxes/${box.r3.id}/overrides`, bad);
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    assert.deepEqual((await api.get(`/api/v1/mailboxes/${box.r3.id}/overrides`)).body, {});
  });

  it('with the policy service down mail still flows (Postfix default_action=DUNNO); back up, limits hold again', async () => {
    await put('chatty', { max_send_per_day: 1 });
    await stack.policyService!.stop();
    try {
      const res = await submit('chatty', box.r1.address);
      assert.deepEqual(res.rejected, [], res.response);
    } finally {
      stack.policyService = await stack.startPolicyService();
    }
    assert.match(refusal(await submit('chatty', box.r1.address)), /^450 4\.7\.1/);
  });
});
