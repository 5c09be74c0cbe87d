/**
 * Counting mail from Postfix log lines (maillog_file, or syslog's mail.log).
 *
 * What counts as what (per log line, so per recipient for deliveries):
 * - sent: a delivery agent's `status=sent` — smtp, and lmtp/virtual/local/pipe deliveries
 *   (relay=dovecot / private/dovecot-lmtp are local deliveries and count here too);
 * - bounced: `status=bounced`, and `status=expired` (returned to sender after maximal_queue_lifetime);
 * - deferred: `status=deferred` — every failed attempt, so one message retried 5 times counts 5;
 * - rejected: `NOQUEUE: reject:` (smtpd/postscreen), `<QID>: reject:` (cleanup header/body checks)
 *   and `milter-reject:`;
 * - received: one per new message, the cleanup daemon's `<QID>: message-id=` line (every message,
 *   from smtpd, pickup/sendmail or a bounce, passes cleanup once; qmgr's `from=` line is not used
 *   because qmgr repeats it each time a deferred message re-enters the active queue).
 *
 * Timestamps: classic syslog `Mmm dd HH:MM:SS` (local time, no year: the year is chosen so the time is
 * not in the future) and ISO 8601 / RFC 3339 (`2026-11-21T07:12:07.123456+00:00`, rsyslog's
 * high-precision format and newer Postfix postlog).
 */
export type MailEvent = 'sent' | 'received' | 'bounced' | 'deferred' | 'rejected';
export const MAIL_EVENTS: readonly MailEvent[] = ['sent', 'received', 'bounced', 'deferred', 'rejected'];

export interface MailLogEvent {
  time: Date;
  event: MailEvent;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const SYSLOG_TS = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? /;
const ISO_TS = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) /;
/** After the timestamp: host, program[pid]: message. */
const HEADER = /^\S+ ([^\s:[]+)(?:\[\d+\])?: (.*)$/;
const STATUS = /^[0-9A-Za-z]+: to=<[^>]*>.*?, status=(sent|bounced|deferred|expired)\b/;
const RECEIVED = /^[0-9A-Za-z]+: message-id=/;
const REJECT = /^(?:NOQUEUE|[0-9A-Za-z]+): (?:milter-)?reject:/;

/** The time at the start of a log line, or null when it has none this parser knows. */
export function parseLogTimestamp(line: string, now: Date = new Date()): { time: Date; rest: string } | null {
  const iso = ISO_TS.exec(line);
  if (iso) {
    const time = new Date(iso[1].replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(time.getTime()) ? null : { time, rest: line.slice(iso[0].length) };
  }
  const sys = SYSLOG_TS.exec(line);
  if (!sys || MONTHS[sys[1]] === undefined) return null;
  const [month, day, h, m, s] = [MONTHS[sys[1]], Number(sys[2]), Number(sys[3]), Number(sys[4]), Number(sys[5])];
  let time = new Date(now.getFullYear(), month, day, h, m, s);
  // No year in the line: a time more than a day ahead of now belongs to last year (log spanning New Year).
  if (time.getTime() - now.getTime() > 86_400_000) time = new Date(now.getFullYear() - 1, month, day, h, m, s);
  return { time, rest: line.slice(sys[0].length) };
}

/** The counted event a Postfix log line stands for, or null for every other line. */
export function parseMaillogLine(line: string, now: Date = new Date()): MailLogEvent | null {
  const ts = parseLogTimestamp(line, now);
  if (!ts) return null;
  const header = HEADER.exec(ts.rest);
  if (!header) return null;
  const [, program, message] = header;
  const event = eventOf(program, message);
  return event ? { time: ts.time, event } : null;
}

function eventOf(program: string, message: string): MailEvent | null {
  const status = STATUS.exec(message);
  if (status) return status[1] === 'expired' ? 'bounced' : (status[1] as MailEvent);
  if (REJECT.test(message)) return 'rejected';
  if (program.endsWith('/cleanup') && RECEIVED.test(message)) return 'received';
  return null;
}

export type MailCounts = Record<MailEvent, number>;

export function emptyCounts(): MailCounts {
  return { sent: 0, received: 0, bounced: 0, deferred: 0, rejected: 0 };
}

export interface MailWindowCounts {
  lastHour: MailCounts;
  last24h: MailCounts;
  /** 24 buckets, oldest first: bucket 23 starts at the current hour (UTC). */
  hourly: { hour: Date; counts: MailCounts }[];
}

/** Aggregates events into the last hour, the last 24 hours and 24 hourly buckets ending with the current hour. */
export class MailCounter {
  readonly result: MailWindowCounts;
  private readonly firstHour: number;

  constructor(private readonly now: Date) {
    const currentHour = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
    this.firstHour = currentHour - 23 * 3_600_000;
    this.result = {
      lastHour: emptyCounts(),
      last24h: emptyCounts(),
      hourly: Array.from({ length: 24 }, (_, i) => ({ hour: new Date(this.firstHour + i * 3_600_000), counts: emptyCounts() })),
    };
  }

  /** Earliest time that still counts: events before it (and after now) are ignored. */
  get since(): number {
    return Math.min(this.now.getTime() - 24 * 3_600_000, this.firstHour);
  }

  add(e: MailLogEvent): void {
    const t = e.time.getTime();
    const now = this.now.getTime();
    if (t > now + 60_000) return;
    if (t >= now - 3_600_000) this.result.lastHour[e.event]++;
    if (t >= now - 24 * 3_600_000) this.result.last24h[e.event]++;
    const bucket = Math.floor((t - this.firstHour) / 3_600_000);
    if (bucket >= 0 && bucket < 24) this.result.hourly[bucket].counts[e.event]++;
  }
}
