import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AppConfig } from '#common';
import { NatsRpcClient } from '#common';
import {
  EmptyBodyDto,
  MAILSTACK_SERVICE_NAMES,
  NodeSubjects,
  ServiceActionResultDto,
  ServiceListDto,
  ServiceStatusDto,
  type ServiceAction,
  type ServiceActionRpc,
  type ServiceRefRpc,
  type WithCaller,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { InjectConfig } from '../../shared/app-config.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { PLATFORM, requireEmptyBody, SERVICE_ACTION_TIMEOUT_MS, subjectFor } from '../../shared/node-rpc.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const NAME_PARAM = { name: 'name', enum: MAILSTACK_SERVICE_NAMES, description: 'A managed daemon (MAILSTACK_SERVICES); others are 404', example: 'postfix' };
const CONTROL =
  "systemctl when PID 1 is systemd, else the daemon's own commands (postfix start|stop|reload, dovecot / doveadm stop|reload, opendkim -x / signals), overridable by MAILSTACK_SERVICE_COMMANDS. " +
  'The response carries the state re-checked afterwards. Send `{}`. 503 when the daemon is not installed (detail names the program) or the action did not take effect.';

/** HTTP ↔ stats-service (of this gateway's mail node) over NATS: daemon status and control. */
@ApiTags('services')
@ApiErrors(503, 504)
@Controller()
export class ServicesController {
  private readonly subject: ReturnType<typeof subjectFor>;

  constructor(
    private readonly rpc: NatsRpcClient,
    @InjectConfig() config: AppConfig,
  ) {
    this.subject = subjectFor(config.MAIL_NODE_ID);
  }

  @Get('services')
  @Authenticated({ scope: 'services:read' })
  @ApiOperation({
    summary: 'List the mail daemons',
    description: `${PLATFORM} Each managed daemon: installed, running, pid, version, since/uptime. Without a mail stack every one is installed:false, running:false.`,
  })
  @ApiOkResponse({ type: ServiceListDto })
  @ApiErrors(403)
  list(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<ServiceListDto> {
    const msg: WithCaller = { ctx: callerContext(p, rid) };
    return this.rpc.send(this.subject(NodeSubjects.ServicesList), msg, rid);
  }

  @Get('services/:name')
  @Authenticated({ scope: 'services:read' })
  @ApiOperation({ summary: 'Get one mail daemon', description: `${PLATFORM} installed, running, pid, version, since/uptime.` })
  @ApiParam(NAME_PARAM)
  @ApiOkResponse({ type: ServiceStatusDto })
  @ApiErrors(403, 404)
  get(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('name') name: string): Promise<ServiceStatusDto> {
    const msg: ServiceRefRpc = { ctx: callerContext(p, rid), name };
    return this.rpc.send(this.subject(NodeSubjects.ServiceGet), msg, rid);
  }

  @Post('services/:name/start')
  @AuditObject((c: ServicesController, a) => c.get(a.principal, a.requestId, a.params.name))
  @HttpCode(200)
  @Authenticated({ scope: 'services:write' })
  @ApiOperation({ summary: 'Start a mail daemon', description: `${PLATFORM} Already running: 200 with changed:false. ${CONTROL}` })
  @ApiParam(NAME_PARAM)
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: ServiceActionResultDto })
  @ApiErrors(400, 403, 404, 415)
  start(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('name') name: string, @Body() body: unknown): Promise<ServiceActionResultDto> {
    return this.act(p, rid, name, 'start', body);
  }

  @Post('services/:name/stop')
  @AuditObject((c: ServicesController, a) => c.get(a.principal, a.requestId, a.params.name))
  @HttpCode(200)
  @Authenticated({ scope: 'services:write' })
  @ApiOperation({
    summary: 'Stop a mail daemon',
    description: `${PLATFORM} Waits until the old process has exited. Already stopped: 200 with changed:false (idempotent). ${CONTROL}`,
  })
  @ApiParam(NAME_PARAM)
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: ServiceActionResultDto })
  @ApiErrors(400, 403, 404, 415)
  stop(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('name') name: string, @Body() body: unknown): Promise<ServiceActionResultDto> {
    return this.act(p, rid, name, 'stop', body);
  }

  @Post('services/:name/restart')
  @AuditObject((c: ServicesController, a) => c.get(a.principal, a.requestId, a.params.name))
  @HttpCode(200)
  @Authenticated({ scope: 'services:write' })
  @ApiOperation({
    summary: 'Restart a mail daemon',
    description: `${PLATFORM} Stop (waiting for the old process to exit), then start; a stopped daemon is simply started. ${CONTROL}`,
  })
  @ApiParam(NAME_PARAM)
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: ServiceActionResultDto })
  @ApiErrors(400, 403, 404, 415)
  restart(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('name') name: string, @Body() body: unknown): Promise<ServiceActionResultDto> {
    return this.act(p, rid, name, 'restart', body);
  }

  @Post('services/:name/reload')
  @AuditObject((c: ServicesController, a) => c.get(a.principal, a.requestId, a.params.name))
  @HttpCode(200)
  @Authenticated({ scope: 'services:write' })
  @ApiOperation({
    summary: 'Reload a mail daemon',
    description: `${PLATFORM} Re-reads its configuration without a restart; 409 when it is not running. ${CONTROL}`,
  })
  @ApiParam(NAME_PARAM)
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: ServiceActionResultDto })
  @ApiErrors(400, 403, 404, 409, 415)
  reload(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('name') name: string, @Body() body: unknown): Promise<ServiceActionResultDto> {
    return this.act(p, rid, name, 'reload', body);
  }

  private act(p: Principal, rid: string, name: string, action: ServiceAction, body: unknown): Promise<ServiceActionResultDto> {
    requireEmptyBody(body);
    const msg: ServiceActionRpc = { ctx: callerContext(p, rid), name, action };
    return this.rpc.send(this.subject(NodeSubjects.ServiceAction), msg, rid, SERVICE_ACTION_TIMEOUT_MS);
  }
}
