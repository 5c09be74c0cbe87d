import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NatsRpcClient } from '#common';
import {
  AliasDto,
  AliasListDto,
  AliasSubjects,
  CreateAliasDto,
  ListAliasesQueryDto,
  UpdateAliasDto,
  type AliasRefRpc,
  type CreateAliasRpc,
  type ListAliasesRpc,
  type UpdateAliasRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors, ApiQuotaExceeded } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const REF_PARAM = {
  name: 'alias',
  description: 'Alias UUID or source (`user@domain`, or `@domain` for a catch-all; URL-encode `@` if your client needs it)',
  example: 'sales@example.com',
};

/** HTTP ↔ mailbox-service over NATS; every rule (loops, ownership) lives in the service. */
@ApiTags('aliases')
@ApiErrors(503, 504)
@Controller('aliases')
export class AliasesController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get()
  @Authenticated({ scope: 'aliases:read' })
  @ApiOperation({ summary: 'List aliases', description: 'Aliases in the domains you can see; filter by domain (UUID or name), active, search on the source.' })
  @ApiOkResponse({ type: AliasListDto })
  @ApiErrors(400)
  list(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ListAliasesQueryDto): Promise<AliasListDto> {
    const msg: ListAliasesRpc = { ctx: callerContext(p, rid), query };
    return this.rpc.send(AliasSubjects.List, msg, rid);
  }

  @Post()
  @Authenticated({ scope: 'aliases:write' })
  @ApiOperation({
    summary: 'Create an alias',
    description:
      'Source in one of your domains (`@domain` = catch-all); destinations local or remote. Self-loops and cycles through other aliases are refused (400); a source already used by a mailbox or alias is 409.',
  })
  @ApiCreatedResponse({ type: AliasDto, headers: { Location: { description: 'URL of the new alias', schema: { type: 'string' } } } })
  @ApiErrors(400, 404, 415)
  @ApiQuotaExceeded(true)
  async create(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: CreateAliasDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<AliasDto> {
    const msg: CreateAliasRpc = { ctx: callerContext(p, rid), body };
    const alias = await this.rpc.send<AliasDto>(AliasSubjects.Create, msg, rid);
    void res.status(201).header('Location', `/api/v1/aliases/${alias.id}`);
    return alias;
  }

  @Get(':alias')
  @Authenticated({ scope: 'aliases:read' })
  @ApiOperation({ summary: 'Get an alias by UUID or source' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: AliasDto })
  @ApiErrors(404)
  get(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('alias') ref: string): Promise<AliasDto> {
    const msg: AliasRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(AliasSubjects.Get, msg, rid);
  }

  @Patch(':alias')
  @AuditObject((c: AliasesController, a) => c.get(a.principal, a.requestId, a.params.alias))
  @Authenticated({ scope: 'aliases:write' })
  @ApiOperation({ summary: 'Update an alias', description: 'Replace `destinations` and/or set `active`.' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: AliasDto })
  @ApiErrors(400, 404, 415)
  update(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('alias') ref: string, @Body() body: UpdateAliasDto): Promise<AliasDto> {
    const msg: UpdateAliasRpc = { ctx: callerContext(p, rid), ref, body };
    return this.rpc.send(AliasSubjects.Update, msg, rid);
  }

  @Delete(':alias')
  @AuditObject((c: AliasesController, a) => c.get(a.principal, a.requestId, a.params.alias))
  @Authenticated({ scope: 'aliases:write' })
  @ApiOperation({ summary: 'Delete an alias' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'alias deleted' } })
  @ApiErrors(404)
  delete(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('alias') ref: string): Promise<MessageResponseDto> {
    const msg: AliasRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(AliasSubjects.Delete, msg, rid);
  }
}
