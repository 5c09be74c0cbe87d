import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NatsRpcClient } from '#common';
import {
  ConfigSubjects,
  DomainSettingsDto,
  DomainSettingsInputDto,
  GlobalSettingsDto,
  GlobalSettingsInputDto,
  MailboxSettingsDto,
  MailboxSettingsInputDto,
  type ConfigTier,
  type GetTierRpc,
  type PutTierRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

type Settings = Record<string, unknown>;

const TIER_DOC =
  'Platform-only (other roles: 403 FORBIDDEN). GET shows the stored settings merged over the built-in defaults, so every field is present. ' +
  'PUT replaces the stored settings with exactly the object sent: fields left out fall back to their built-in defaults; an unknown field, ' +
  'a value out of range or of the wrong type is 400 with `fields`, and nothing is stored.';
const CAP_DOC = ' message_size_limit may not exceed the global message_size_limit (400 naming the cap); a global cap lowered later clamps the value shown.';

/** HTTP ↔ domain-service over NATS for the singleton configuration tiers; every rule lives in the service. */
@ApiTags('config')
@ApiErrors(503, 504)
@Controller('config')
export class ConfigController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get('global')
  @Authenticated({ scope: 'config:read' })
  @ApiOperation({ summary: 'Get the global configuration', description: TIER_DOC })
  @ApiOkResponse({ type: GlobalSettingsDto })
  @ApiErrors(403)
  getGlobal(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<Settings> {
    return this.get(p, rid, 'global');
  }

  @Put('global')
  @AuditObject((c: ConfigController, a) => c.getGlobal(a.principal, a.requestId))
  @Authenticated({ scope: 'config:write' })
  @ApiOperation({ summary: 'Replace the global configuration', description: `${TIER_DOC} Postfix main.cf parameters are applied by the next reconcile.` })
  @ApiBody({ type: GlobalSettingsInputDto })
  @ApiOkResponse({ type: GlobalSettingsDto })
  @ApiErrors(400, 403, 415)
  putGlobal(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Body() body: Settings): Promise<Settings> {
    return this.put(p, rid, 'global', body);
  }

  @Get('domain-defaults')
  @Authenticated({ scope: 'config:read' })
  @ApiOperation({ summary: 'Get the domain defaults', description: TIER_DOC + CAP_DOC })
  @ApiOkResponse({ type: DomainSettingsDto })
  @ApiErrors(403)
  getDomainDefaults(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<Settings> {
    return this.get(p, rid, 'domain_defaults');
  }

  @Put('domain-defaults')
  @AuditObject((c: ConfigController, a) => c.getDomainDefaults(a.principal, a.requestId))
  @Authenticated({ scope: 'config:write' })
  @ApiOperation({ summary: 'Replace the domain defaults', description: TIER_DOC + CAP_DOC })
  @ApiBody({ type: DomainSettingsInputDto })
  @ApiOkResponse({ type: DomainSettingsDto })
  @ApiErrors(400, 403, 415)
  putDomainDefaults(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Body() body: Settings): Promise<Settings> {
    return this.put(p, rid, 'domain_defaults', body);
  }

  @Get('mailbox-defaults')
  @Authenticated({ scope: 'config:read' })
  @ApiOperation({ summary: 'Get the mailbox defaults', description: TIER_DOC + CAP_DOC })
  @ApiOkResponse({ type: MailboxSettingsDto })
  @ApiErrors(403)
  getMailboxDefaults(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<Settings> {
    return this.get(p, rid, 'mailbox_defaults');
  }

  @Put('mailbox-defaults')
  @AuditObject((c: ConfigController, a) => c.getMailboxDefaults(a.principal, a.requestId))
  @Authenticated({ scope: 'config:write' })
  @ApiOperation({ summary: 'Replace the mailbox defaults', description: TIER_DOC + CAP_DOC })
  @ApiBody({ type: MailboxSettingsInputDto })
  @ApiOkResponse({ type: MailboxSettingsDto })
  @ApiErrors(400, 403, 415)
  putMailboxDefaults(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Body() body: Settings): Promise<Settings> {
    return this.put(p, rid, 'mailbox_defaults', body);
  }

  private get(p: Principal, rid: string, tier: ConfigTier): Promise<Settings> {
    const msg: GetTierRpc = { ctx: callerContext(p, rid), tier };
    return this.rpc.send(ConfigSubjects.GetTier, msg, rid);
  }

  private put(p: Principal, rid: string, tier: ConfigTier, settings: Settings): Promise<Settings> {
    const msg: PutTierRpc = { ctx: callerContext(p, rid), tier, settings };
    return this.rpc.send(ConfigSubjects.PutTier, msg, rid);
  }
}
