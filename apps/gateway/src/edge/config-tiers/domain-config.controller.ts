import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { NatsRpcClient } from '#common';
import { ConfigSubjects, DomainEffectiveDto, DomainOverridesDto, type DomainRefRpc, type PutDomainOverridesRpc } from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

type Settings = Record<string, unknown>;
const REF_PARAM = { name: 'domain', description: 'Domain UUID or name (IDN accepted)', example: 'example.com' };

/** A domain's overrides and effective settings (tenant-scoped like the domain itself). */
@ApiTags('config')
@ApiErrors(503, 504)
@Controller('domains')
export class DomainConfigController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get(':domain/overrides')
  @Authenticated({ scope: 'domains:read' })
  @ApiOperation({ summary: 'Get a domain’s overrides', description: 'Only the fields set on this domain; every other field is inherited.' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: DomainOverridesDto })
  @ApiErrors(404)
  getOverrides(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('domain') ref: string): Promise<Settings> {
    const msg: DomainRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(ConfigSubjects.GetDomainOverrides, msg, rid);
  }

  @Put(':domain/overrides')
  @AuditObject((c: DomainConfigController, a) => c.getOverrides(a.principal, a.requestId, a.params.domain))
  @Authenticated({ scope: 'domains:write' })
  @ApiOperation({
    summary: 'Set a domain’s overrides',
    description:
      'Sets the fields sent and leaves the others as they are; `null` reverts a field to inheritance. Unknown fields and invalid values are 400 ' +
      'with `fields` (nothing stored); message_size_limit above the global message_size_limit is 400 naming the cap. The limits quota_total_bytes, ' +
      'max_mailboxes and max_aliases may only be changed by a platform admin (403 otherwise). Answers the overrides now stored.',
  })
  @ApiParam(REF_PARAM)
  @ApiBody({ type: DomainOverridesDto })
  @ApiOkResponse({ type: DomainOverridesDto })
  @ApiErrors(400, 403, 404, 415)
  putOverrides(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('domain') ref: string, @Body() body: Settings): Promise<Settings> {
    const msg: PutDomainOverridesRpc = { ctx: callerContext(p, rid), ref, settings: body };
    return this.rpc.send(ConfigSubjects.PutDomainOverrides, msg, rid);
  }

  @Get(':domain/effective')
  @Authenticated({ scope: 'domains:read' })
  @ApiOperation({
    summary: 'Get a domain’s effective settings',
    description:
      'Every domain field with the value in force and where it came from: built-in `default` ← `global` (fields of the same name) ← ' +
      '`domain_defaults` ← `override`; the narrowest non-null value wins, and message_size_limit never exceeds the global one.',
  })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: DomainEffectiveDto })
  @ApiErrors(404)
  effective(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('domain') ref: string): Promise<DomainEffectiveDto> {
    const msg: DomainRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(ConfigSubjects.GetDomainEffective, msg, rid);
  }
}
