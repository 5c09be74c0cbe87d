import { createPublicKey } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth';
import nodemailer from 'nodemailer';
import { findBinary, runCommand } from '#mailstack';

/** The loopback mail stack of scripts/mailstack.sh (same environment overrides, same defaults). */
export const MAIL = {
  host: '127.0.0.1',
  smtpPort: Number(process.env.MAILSTACK_SMTP_PORT ?? 2525),
  submissionPort: Number(process.env.MAILSTACK_SUBMISSION_PORT ?? 5870),
  imapPort: Number(process.env.MAILSTACK_IMAP_PORT ?? 1143),
  pop3Port: Number(process.env.MAILSTACK_POP3_PORT ?? 1110),
  vmail: process.env.MAILSTACK_VMAIL_DIR ?? '/var/vmail',
  binPath: process.env.MAILSTACK_BIN_PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
};

export interface SendOptions {
  from: string;
  to: string | string[];
  subject?: string;
  text?: string;
  /** Adds this many bytes of base64-ish filler to the body (to cross size limits and quotas). */
  padBytes?: number;
  headers?: Record<string, string>;
  port?: number;
  /** SMTP AUTH (for the submission port). */
  auth?: { user: string; pass: string };
  /** STARTTLS before MAIL FROM (any certificate accepted: the test stack's are self-signed). */
  starttls?: boolean;
  /** With starttls: the newest TLS version the client offers (to see the server refuse an older one). */
  tlsMaxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** The whole message as sent (no Date or Message-ID added); subject, text, headers and padBytes are then ignored. */
  raw?: string;
  /** Connect from this local address (any 127.x.y.z works on loopback), e.g. to be a DNSBL-listed client. */
  localAddress?: string;
}

export interface SendResult {
  /** The server accepted the message for these recipients (250 after DATA). */
  accepted: string[];
  /** Recipients the server refused (at RCPT TO, or all of them when MAIL FROM/DATA failed). */
  rejected: string[];
  /** The server's last reply, e.g. "250 2.0.0 Ok: queued as 4Xy..." or "552 5.3.4 Message size exceeds fixed limit". */
  response: string;
  responseCode: number | null;
  /** The server's reply per rejected recipient. */
  rejectedResponses: Record<string, string>;
  /** Postfix queue id from "queued as ...", if any. */
  queueId: string | null;
  messageId: string | null;
}

const QUEUED_AS = /queued as ([0-9A-Za-z]+)/;

/**
 * Sends one message over SMTP (no TLS). A refusal is a result, not an exception: callers assert on
 * which recipients were rejected and on the server's reply.
 */
export async function sendMail(opts: SendOptions): Promise<SendResult> {
  const to = Array.isArray(opts.to) ? opts.to : [opts.to];
  const transport = nodemailer.createTransport({
    host: MAIL.host,
    port: opts.port ?? MAIL.smtpPort,
    secure: false,
    ...(opts.starttls
      ? { requireTLS: true, tls: { rejectUnauthorized: false, ...(opts.tlsMaxVersion ? { maxVersion: opts.tlsMaxVersion } : {}) } }
      : { ignoreTLS: true }),
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const pad = opts.padBytes ? '\n' + 'x'.repeat(opts.padBytes).replace(/(.{76})/g, '$1\n') : '';
  try {
    const info = await transport.sendMail(
      opts.raw !== undefined
        ? { envelope: { from: opts.from, to }, raw: opts.raw }
        : {
            envelope: { from: opts.from, to },
            from: opts.from,
            to,
            subject: opts.subject ?? 'test',
            text: (opts.text ?? 'hello') + pad,
            headers: opts.headers,
          },
    );
    const response = String(info.response ?? '');
    const rejectedErrors = (info as { rejectedErrors?: { recipient?: string; response?: string }[] }).rejectedErrors ?? [];
    return {
      accepted: (info.accepted as (string | { address: string })[]).map(addr),
      rejected: (info.rejected as (string | { address: string })[]).map(addr),
      response,
      responseCode: Number(response.slice(0, 3)) || null,
      rejectedResponses: Object.fromEntries(rejectedErrors.map((e) => [e.recipient ?? '', e.response ?? ''])),
      queueId: QUEUED_AS.exec(response)?.[1] ?? null,
      messageId: info.messageId ?? null,
    };
  } catch (err) {
    const e = err as {
      code?: string;
      response?: string;
      responseCode?: number;
      rejected?: string[];
      rejectedErrors?: { recipient?: string; response?: string }[];
      message?: string;
    };
    if (!e.response && e.code !== 'EENVELOPE' && e.code !== 'EMESSAGE') throw err;
    const rejected = e.rejected?.length ? e.rejected.map(addr) : to;
    return {
      accepted: [],
      rejected,
      response: e.response ?? e.message ?? '',
      responseCode: e.responseCode ?? null,
      rejectedResponses: Object.fromEntries((e.rejectedErrors ?? []).map((x) => [x.recipient ?? '', x.response ?? ''])),
      queueId: null,
      messageId: null,
    };
  } finally {
    transport.close();
  }
}

function addr(a: string | { address: string }): string {
  return typeof a === 'string' ? a : a.address;
}

/**
 * One command over a raw line protocol: waits for the greeting, sends `command`, and resolves with
 * what the server answered once `done` matches it (then sends `bye`).
 */
function oneCommand(o: { port: number; what: string; greeting: RegExp; command: string; done: RegExp; bye: string; timeoutMs: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: MAIL.host, port: o.port });
    let buf = '';
    let sent = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`${o.what} on ${MAIL.host}:${o.port} did not answer in time`));
    }, o.timeoutMs);
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (!sent && o.greeting.test(buf)) {
        sent = true;
        buf = '';
        sock.write(o.command);
        return;
      }
      if (sent && o.done.test(buf)) {
        clearTimeout(timer);
        sock.end(o.bye);
        resolve(buf);
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** USER/PASS over a raw POP3 socket: true when the server answers +OK to PASS. */
export async function pop3Login(user: string, password: string, port = MAIL.pop3Port): Promise<boolean> {
  const reply = await oneCommand({
    port,
    what: 'POP3 USER/PASS',
    greeting: /^\+OK/m,
    command: `USER ${user}\r\nPASS ${password}\r\n`,
    done: /^(\+OK|-ERR)[^\n]*\n(\+OK|-ERR)[^\n]*\n/,
    bye: 'QUIT\r\n',
    timeoutMs: 15_000,
  });
  const lines = reply.split(/\r?\n/).filter((l) => /^(\+OK|-ERR)/.test(l));
  // The answers to USER and PASS (the greeting was read before).
  return lines[1]?.startsWith('+OK') ?? false;
}

/** `a1 LOGIN` over a raw IMAP socket: true when the server answers OK. */
export async function imapLogin(user: string, password: string, port = MAIL.imapPort): Promise<boolean> {
  const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  const reply = await oneCommand({
    port,
    what: 'IMAP LOGIN',
    greeting: /^\* (OK|PREAUTH)/m,
    command: `a1 LOGIN ${quote(user)} ${quote(password)}\r\n`,
    done: /^a1 (OK|NO|BAD)/m,
    bye: 'a2 LOGOUT\r\n',
    timeoutMs: 15_000,
  });
  return /^a1 OK/m.test(reply);
}

/** Messages of `folder` whose Subject contains `subject`, found by the real IMAP server (LOGIN, SELECT, SEARCH pipelined). */
export async function imapSearchSubject(user: string, password: string, subject: string, folder = 'INBOX', port = MAIL.imapPort): Promise<number[]> {
  const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  const reply = await oneCommand({
    port,
    what: 'IMAP SEARCH',
    greeting: /^\* (OK|PREAUTH)/m,
    command: `a1 LOGIN ${quote(user)} ${quote(password)}\r\na2 SELECT ${quote(folder)}\r\na3 SEARCH SUBJECT ${quote(subject)}\r\n`,
    done: /^a3 (OK|NO|BAD)/m,
    bye: 'a4 LOGOUT\r\n',
    timeoutMs: 15_000,
  });
  if (!/^a1 OK/m.test(reply)) throw new Error(`IMAP LOGIN as ${user} failed: ${reply}`);
  if (!/^a3 OK/m.test(reply)) throw new Error(`IMAP SEARCH in ${folder} failed: ${reply}`);
  const line = /^\* SEARCH([ 0-9]*)\r?$/m.exec(reply);
  return (line?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** The Maildir of a mailbox (mail_location maildir:/var/vmail/%d/%n). */
export function maildirOf(address: string): string {
  const [local, domain] = address.split('@');
  return join(MAIL.vmail, domain, local);
}

/** Files in new/ and cur/ of a mailbox's Maildir. */
export async function maildirFiles(address: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = join(maildirOf(address), sub);
    try {
      for (const f of await readdir(dir)) out.push(join(dir, f));
    } catch {
      // not created yet
    }
  }
  return out;
}

/** Waits until a message containing `marker` is in the mailbox's Maildir; returns its path. */
export async function waitForMaildirMessage(address: string, marker: string, timeoutMs = 15_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const f of await maildirFiles(address)) {
      const text = await readFile(f, 'utf8').catch(() => '');
      if (text.includes(marker)) return f;
    }
    if (Date.now() > end) throw new Error(`no message containing ${marker} arrived in ${maildirOf(address)} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether any message containing `marker` is in the mailbox's Maildir now. */
export async function maildirHas(address: string, marker: string): Promise<boolean> {
  for (const f of await maildirFiles(address)) if ((await readFile(f, 'utf8').catch(() => '')).includes(marker)) return true;
  return false;
}

/** The raw message (as delivered, with the headers Postfix and OpenDKIM added). */
export function readRawMessage(path: string): Promise<Buffer> {
  return readFile(path);
}

export interface QueueItem {
  queue_name: string;
  queue_id: string;
  arrival_time: number;
  message_size: number;
  sender: string;
  recipients: { address: string; delay_reason?: string }[];
}

/** `postqueue -j`: one JSON object per queued message. */
export async function postqueueJson(): Promise<QueueItem[]> {
  const bin = findBinary('postqueue', MAIL.binPath);
  if (!bin) throw new Error(`postqueue not found in ${MAIL.binPath}`);
  const r = await runCommand(bin, ['-j']);
  if (r.code !== 0) throw new Error(`postqueue -j failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as QueueItem);
}

/** The DKIM TXT record value for a private key: `v=DKIM1; k=rsa; p=<base64 SPKI>`. */
export function dkimTxtRecord(privateKeyPem: string): string {
  const pub = createPublicKey(privateKeyPem);
  const k = pub.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'rsa';
  const der = pub.export({ type: 'spki', format: 'der' });
  // An ed25519 record carries the raw 32-byte key, not the SPKI structure (RFC 8463).
  const p = k === 'ed25519' ? der.subarray(der.length - 32) : der;
  return `v=DKIM1; k=${k}; p=${p.toString('base64')}`;
}

export interface DkimCheck {
  result: string;
  domain: string | null;
  selector: string | null;
  info: string;
}

/**
 * Verifies the message's DKIM signatures with mailauth, answering `<selector>._domainkey.<domain>` TXT
 * queries with `txt` instead of DNS. Returns one entry per signature; an unsigned message gives one
 * entry with result 'none'.
 */
export async function verifyDkim(raw: Buffer | string, selector: string, domain: string, txt: string): Promise<DkimCheck[]> {
  const name = `${selector}._domainkey.${domain}`.toLowerCase();
  const resolver = async (qname: string, rrtype: string): Promise<string[][]> => {
    if (rrtype === 'TXT' && qname.toLowerCase() === name) return [[txt]];
    throw Object.assign(new Error(`no ${rrtype} record for ${qname}`), { code: 'ENOTFOUND' });
  };
  const res = await dkimVerify(raw, { resolver });
  return res.results.map((r) => {
    const x = r as unknown as { status?: { result?: string }; signingDomain?: string; selector?: string; info?: string };
    return { result: x.status?.result ?? 'none', domain: x.signingDomain ?? null, selector: x.selector ?? null, info: x.info ?? '' };
  });
}

/** The EHLO capabilities the SMTP server offers (e.g. STARTTLS, SIZE 26214400, AUTH PLAIN LOGIN). */
export async function smtpEhlo(port = MAIL.smtpPort): Promise<string[]> {
  const reply = await oneCommand({
    port,
    what: 'SMTP EHLO',
    greeting: /^220 .*\r\n/m,
    command: 'EHLO client.mailplane.test\r\n',
    done: /^250 .*\r\n/m,
    bye: 'QUIT\r\n',
    timeoutMs: 10_000,
  });
  return reply
    .split('\r\n')
    .filter((l) => l.startsWith('250'))
    .slice(1)
    .map((l) => l.slice(4));
}
