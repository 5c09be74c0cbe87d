import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '#common';
import { NatsRpcClient } from '#common';
import { AboutDto, HostStatsDto, MailStatsDto, NodeSubjects, type WithCaller } from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { InjectConfig } from '../../shared/app-config.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { PLATFORM, subjectFor } from '../../shared/node-rpc.js';

/** HTTP ↔ stats-service (of this gateway's mail node) over NATS: host metrics, mail counters, about. */
@ApiTags('stats')
@ApiErrors(503, 504)
@Controller()
export class StatsController {
  private readonly subject: ReturnType<typeof subjectFor>;

  constructor(
    private readonly rpc: NatsRpcClient,
    @InjectConfig() config: AppConfig,
  ) {
    this.subject = subjectFor(config.MAIL_NODE_ID);
  }

  @Get('stats')
  @Authenticated({ scope: 'stats:read' })
  @ApiOperation({
    summary: 'Mail node host statistics',
    description: `${PLATFORM} CPU, memory (used excludes page cache), the disk holding the Postfix spool, load averages, queue size (null without Postfix) and how many managed daemons run. Works without a mail stack.`,
  })
  @ApiOkResponse({ type: HostStatsDto })
  @ApiErrors(403)
  stats(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<HostStatsDto> {
    const msg: WithCaller = { ctx: callerContext(p, rid) };
    return this.rpc.send(this.subject(NodeSubjects.Stats), msg, rid);
  }

  @Get('stats/mail')
  @Authenticated({ scope: 'stats:read' })
  @ApiOperation({
    summary: 'Mail counters from the Postfix log',
    description:
      `${PLATFORM} sent, received, bounced, deferred and rejected over the last hour and 24 hours, and 24 hourly buckets, read from MAIL_LOG_FILE. ` +
      'sent = status=sent per recipient (LMTP deliveries to Dovecot included); received = one per new message (cleanup message-id line); ' +
      'bounced = status=bounced or expired; deferred = each status=deferred attempt; rejected = NOQUEUE/cleanup/milter rejects. No log file: all counts 0.',
  })
  @ApiOkResponse({ type: MailStatsDto })
  @ApiErrors(403)
  mailStats(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<MailStatsDto> {
    const msg: WithCaller = { ctx: callerContext(p, rid) };
    return this.rpc.send(this.subject(NodeSubjects.MailStats), msg, rid);
  }

  @Get('system/about')
  @Authenticated({ scope: 'system:read' })
  @ApiOperation({
    summary: 'About this mail node',
    description: `${PLATFORM} Mailplane version, host name, OS, Node.js version, and the Postfix, Dovecot and OpenDKIM versions ("not installed" when absent).`,
  })
  @ApiOkResponse({ type: AboutDto })
  @ApiErrors(403)
  about(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<AboutDto> {
    const msg: WithCaller = { ctx: callerContext(p, rid) };
    return this.rpc.send(this.subject(NodeSubjects.About), msg, rid);
  }
}
