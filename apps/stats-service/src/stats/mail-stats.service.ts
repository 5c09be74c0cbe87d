import type { AppConfig } from '#common';
import { requirePlatformMailNodeCaller, type CallerContext, type MailCountsDto, type MailStatsDto } from '#contracts';
import { MailCounter, parseLogTimestamp, parseMaillogLine } from '#mailstack';
import { linesFromEnd } from './reverse-lines.js';

/** Lines this much older than the window are taken as the end of it (logs are written in time order, give or take a little). */
const SLACK_MS = 5 * 60_000;

/**
 * Mail counters from Postfix's log (see maillog.parser.ts for what counts as what). Only MAIL_LOG_FILE
 * itself is read, from its end backwards: right after a rotation the earlier hours live in the rotated
 * file and are not counted.
 */
export class MailStatsService {
  constructor(private readonly config: AppConfig) {}

  async mailStats(ctx: CallerContext): Promise<MailStatsDto> {
    requirePlatformMailNodeCaller(ctx, 'Mail statistics');
    const now = new Date();
    const counter = new MailCounter(now);
    const logFound = await this.scan(counter, now);
    const { lastHour, last24h, hourly } = counter.result;
    return {
      node: this.config.MAIL_NODE_ID,
      log_file: this.config.MAIL_LOG_FILE,
      log_found: logFound,
      last_hour: { ...lastHour } as MailCountsDto,
      last_24h: { ...last24h } as MailCountsDto,
      hourly: hourly.map((h) => ({ hour: h.hour.toISOString(), ...h.counts })),
      generated_at: now.toISOString(),
    };
  }

  /** Reads the log backwards until lines are older than the window; false when there is no log. */
  private async scan(counter: MailCounter, now: Date): Promise<boolean> {
    try {
      for await (const line of linesFromEnd(this.config.MAIL_LOG_FILE)) {
        const event = parseMaillogLine(line, now);
        if (event) {
          counter.add(event);
          if (event.time.getTime() < counter.since - SLACK_MS) break;
        } else {
          const ts = parseLogTimestamp(line, now);
          if (ts && ts.time.getTime() < counter.since - SLACK_MS) break;
        }
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw err;
    }
  }
}
