import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MailCounter, parseLogTimestamp, parseMaillogLine } from './maillog.parser.js';

const NOW = new Date('2026-11-21T08:00:00Z');
const line = (ts: string, rest: string) => `${ts} mail ${rest}`;

describe('mail log parser', () => {
  it('reads syslog and ISO timestamps', () => {
    assert.equal(parseLogTimestamp('2026-11-21T07:12:07.123456+00:00 mail postfix/smtp[1]: x', NOW)?.time.toISOString(), '2026-11-21T07:12:07.123Z');
    assert.equal(parseLogTimestamp('2026-11-21T09:12:07+02:00 mail x', NOW)?.time.toISOString(), '2026-11-21T07:12:07.000Z');
    assert.equal(parseLogTimestamp('2026-11-21T07:12:07Z mail x', NOW)?.time.toISOString(), '2026-11-21T07:12:07.000Z');
    const sys = parseLogTimestamp('Nov 21 07:12:07 mail postfix/smtp[1]: x', NOW)!;
    assert.equal(sys.time.getTime(), new Date(2026, 10, 21, 7, 12, 7).getTime());
    assert.equal(sys.rest, 'mail postfix/smtp[1]: x');
    assert.equal(parseLogTimestamp('Nov  1 07:12:07 mail x', NOW)!.time.getDate(), 1);
    // A December line read in November belongs to last year.
    assert.equal(parseLogTimestamp('Dec 31 23:59:59 mail x', NOW)!.time.getFullYear(), 2025);
    assert.equal(parseLogTimestamp('garbage', NOW), null);
    assert.equal(parseLogTimestamp('Foo 21 07:12:07 mail x', NOW), null);
  });

  it('classifies Postfix lines', () => {
    const ts = 'Nov 21 07:59:00';
    const cases: [string, string | null][] = [
      [
        'postfix/smtp[11]: 4F2A81C0D3: to=<bob@example.net>, relay=mx.example.net[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)',
        'sent',
      ],
      [
        'postfix/lmtp[12]: 5A1B2C3D4E: to=<alice@example.test>, relay=example.test[private/dovecot-lmtp], delay=0.1, dsn=2.0.0, status=sent (250 2.0.0 <alice@example.test> Saved)',
        'sent',
      ],
      [
        'postfix/smtp[13]: 4F2A81C0D3: to=<x@unreachable.invalid>, relay=none, delay=0.02, delays=0.01/0/0/0, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:9: Connection refused)',
        'deferred',
      ],
      ['postfix/smtp[14]: 4F2A81C0D3: to=<x@example.net>, relay=mx[192.0.2.1]:25, dsn=5.1.1, status=bounced (host said: 550 no such user)', 'bounced'],
      ['postfix/qmgr[15]: 4F2A81C0D3: from=<a@example.org>, status=expired, returned to sender', null],
      ['postfix/error[16]: 4F2A81C0D3: to=<x@example.net>, relay=none, delay=432000, dsn=4.4.1, status=expired, returned to sender', 'bounced'],
      [
        'postfix/smtpd[17]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 554 5.7.1 <x@example.com>: Relay access denied; from=<s@spam.example> to=<x@example.com> proto=ESMTP helo=<spam>',
        'rejected',
      ],
      [
        'postfix/cleanup[18]: 6B7C8D9E0F: reject: header Subject: casino from localhost[127.0.0.1]; from=<a@b> to=<c@d>: 5.7.1 message content rejected',
        'rejected',
      ],
      ['postfix/cleanup[18]: 6B7C8D9E0F: milter-reject: END-OF-MESSAGE from localhost[127.0.0.1]: 5.7.1 Command rejected; from=<a@b> to=<c@d>', 'rejected'],
      ['postfix/cleanup[19]: 4F2A81C0D3: message-id=<20261121073000.4F2A81C0D3@mail.example.org>', 'received'],
      ['postfix/qmgr[20]: 4F2A81C0D3: from=<a@example.org>, size=350, nrcpt=1 (queue active)', null],
      ['postfix/smtpd[21]: connect from localhost[127.0.0.1]', null],
      ['postfix/pickup[22]: 4F2A81C0D3: uid=0 from=<a@example.org>', null],
      ['dovecot: lmtp(alice@example.test): msgid=<x>: saved mail to INBOX', null],
      ['postfix/submission/smtpd[23]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 554 5.7.1 denied', 'rejected'],
    ];
    for (const [rest, expected] of cases) {
      assert.equal(parseMaillogLine(line(ts, rest), NOW)?.event ?? null, expected, rest);
    }
    const iso = parseMaillogLine(line('2026-11-21T07:30:00.5+00:00', cases[0][0]), NOW)!;
    assert.deepEqual([iso.event, iso.time.toISOString()], ['sent', '2026-11-21T07:30:00.500Z']);
  });

  it('counts the last hour, the last 24 hours and 24 hourly buckets ending with the current hour', () => {
    const now = new Date('2026-11-21T08:30:00Z');
    const c = new MailCounter(now);
    const at = (iso: string, event: 'sent' | 'deferred' | 'received') => c.add({ time: new Date(iso), event });
    at('2026-11-21T08:10:00Z', 'sent');
    at('2026-11-21T07:45:00Z', 'deferred');
    at('2026-11-21T07:15:00Z', 'deferred'); // 24 h, not last hour
    at('2026-11-20T09:10:00Z', 'received'); // first bucket
    at('2026-11-20T08:45:00Z', 'received'); // last 24h but before the first bucket
    at('2026-11-20T08:00:00Z', 'received'); // too old
    at('2026-11-21T09:30:00Z', 'sent'); // future
    const r = c.result;
    assert.deepEqual(r.lastHour, { sent: 1, received: 0, bounced: 0, deferred: 1, rejected: 0 });
    assert.deepEqual(r.last24h, { sent: 1, received: 2, bounced: 0, deferred: 2, rejected: 0 });
    assert.equal(r.hourly.length, 24);
    assert.equal(r.hourly[0].hour.toISOString(), '2026-11-20T09:00:00.000Z');
    assert.equal(r.hourly[23].hour.toISOString(), '2026-11-21T08:00:00.000Z');
    assert.equal(r.hourly[0].counts.received, 1);
    assert.equal(r.hourly[22].counts.deferred, 2);
    assert.equal(r.hourly[23].counts.sent, 1);
    assert.equal(
      r.hourly.reduce((n, h) => n + h.counts.received + h.counts.sent + h.counts.deferred, 0),
      4,
    );
  });
});
