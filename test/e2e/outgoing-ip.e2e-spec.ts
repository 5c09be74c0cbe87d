import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../helpers/api-client.js';
import { MAIL, sendMail } from '../helpers/mail.js';
import { TestStack } from '../helpers/stack.js';

/**
 * A domain's outgoing_ip in the real Postfix: the reconcile gives each address an smtp transport bound
 * to it (master.cf) and maps the sender's domain to it (sender_dependent_default_transport_maps); "auto"
 * keeps default_transport. The loopback stack relays everything to [127.0.0.1]:9 (its default_transport):
 * this suite listens there with a small SMTP sink (the tests run as root) and records each sender's peer address.
 */
const RUN = randomBytes(3).toString('hex');
const OWN = `own-ip-${RUN}.example`;
const AUTO = `auto-ip-${RUN}.example`;
const PW = 'Correct-Horse-42!';

/** Accepts every message; remembers the peer address of each by a marker in its body. */
function smtpSink(): { server: Server; peers: Map<string, string> } {
  const peers = new Map<string, string>();
  const server = createServer((socket) => {
    let data = false;
    let body = '';
    let buffer = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (data) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          body += buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          data = false;
          for (const m of body.match(/oip-[0-9a-f]{10}/g) ?? []) peers.set(m, socket.remoteAddress ?? '');
          body = '';
          socket.write('250 2.0.0 Ok\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl).toUpperCase();
        buffer = buffer.slice(nl + 2);
        if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 sink\r\n');
        else if (line.startsWith('DATA')) {
          data = true;
          socket.write('354 go on\r\n');
        } else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else socket.write('250 Ok\r\n');
      }
    });
    socket.on('error', () => socket.destroy());
  });
  return { server, peers };
}

describe('outgoing_ip: mail leaves from the domain’s address (e2e, real Postfix)', () => {
  let stack: TestStack;
  let api: ApiClient;
  const sink = smtpSink();

  before(async () => {
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(9, '127.0.0.1', () => resolve());
    });
    stack = await TestStack.start('outgoing-ip', { mailstack: true });
    api = stack.api(stack.admin.apiKey);
    assert.equal((await api.post('/api/v1/domains', { name: OWN, outgoing_ip: '127.0.0.2' })).status, 201);
    assert.equal((await api.post('/api/v1/domains', { name: AUTO })).status, 201);
    for (const d of [OWN, AUTO]) assert.equal((await api.post('/api/v1/mailboxes', { username: `out@${d}`, password: PW })).status, 201);
    await stack.reconcile();
  });
  after(async () => {
    await stack?.stop();
    await new Promise((r) => sink.server.close(r));
  });

  const sendOut = async (domain: string) => {
    const mark = `oip-${randomBytes(5).toString('hex')}`;
    const res = await sendMail({
      from: `out@${domain}`,
      to: `someone@far-${RUN}.example`,
      port: MAIL.submissionPort,
      auth: { user: `out@${domain}`, pass: PW },
      subject: mark,
      text: mark,
    });
    assert.deepEqual(res.rejected, [], res.response);
    for (const end = Date.now() + 20_000; !sink.peers.has(mark);) {
      assert.ok(Date.now() < end, `${mark} never reached the sink`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return sink.peers.get(mark);
  };
  const transports = () =>
    execFileSync('postconf', ['-M'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith('mp-out-'))
      .map((l) => l.split(/\s+/)[0]);

  it('a domain with outgoing_ip sends from that address; an "auto" domain from the node’s primary one', async () => {
    assert.equal(await sendOut(OWN), '127.0.0.2');
    assert.equal(await sendOut(AUTO), '127.0.0.1');
    assert.deepEqual(transports(), ['mp-out-127-0-0-2']);
  });

  it('changing outgoing_ip moves the domain to the new address; back to auto removes the transport', async () => {
    const res = await api.request('PATCH', `/api/v1/domains/${OWN}`, { outgoing_ip: '127.0.0.3' });
    assert.equal(res.status, 200, res.text);
    await stack.reconcile();
    assert.equal(await sendOut(OWN), '127.0.0.3');
    assert.deepEqual(transports(), ['mp-out-127-0-0-3']);

    assert.equal((await api.request('PATCH', `/api/v1/domains/${OWN}`, { outgoing_ip: 'auto' })).status, 200);
    await stack.reconcile();
    assert.equal(await sendOut(OWN), '127.0.0.1');
    assert.deepEqual(transports(), []);
  });

  it('a bad outgoing_ip is 400 and changes nothing', async () => {
    for (const bad of ['999.1.1.1', 'mail.example', '224.0.0.1']) {
      const res = await api.request('PATCH', `/api/v1/domains/${OWN}`, { outgoing_ip: bad });
      assert.equal(res.status, 400, `${bad}: ${res.text}`);
    }
    assert.equal((await api.get(`/api/v1/domains/${OWN}`)).body.outgoing_ip, 'auto');
  });
});
