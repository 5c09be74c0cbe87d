import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NatsRpcClient } from '#common';
import {
  AntispamEntryDto,
  AntispamEntryListDto,
  AntispamSettingsDto,
  AntispamSettingsInputDto,
  AntispamSubjects,
  CreateAntispamEntryDto,
  ListAntispamEntriesQueryDto,
  type AntispamEntryRefRpc,
  type AntispamList,
  type AntispamSettings,
  type CreateAntispamEntryRpc,
  type GetAntispamConfigRpc,
  type ListAntispamEntriesRpc,
  type PutAntispamConfigRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const PLATFORM = 'Platform-only (other roles: 403 FORBIDDEN).';
const ID_PARAM = { name: 'id', format: 'uuid', description: 'Entry UUID', example: '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' };
const CREATE_DOC =
  `${PLATFORM} entry_type ip: IPv4/IPv6 address (stored canonical); cidr: network/prefix — host bits set are 400 naming the network meant; ` +
  'domain: DNS name (IDN stored as punycode); email: RFC 5321 address (domain lower-cased). The same entry twice is 409.';

/** HTTP ↔ domain-service over NATS for anti-spam settings and lists; every rule lives in the service. */
@ApiTags('antispam')
@ApiErrors(503, 504)
@Controller()
export class AntispamController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get('config/antispam')
  @Authenticated({ scope: 'antispam:read' })
  @ApiOperation({
    summary: 'Get the anti-spam settings',
    description: `${PLATFORM} The DNSBL and greylisting fields of the global configuration, over the built-in defaults.`,
  })
  @ApiOkResponse({ type: AntispamSettingsDto })
  @ApiErrors(403)
  getConfig(@CurrentPrincipal() p: Principal, @RequestId() rid: string): Promise<AntispamSettings> {
    const msg: GetAntispamConfigRpc = { ctx: callerContext(p, rid) };
    return this.rpc.send(AntispamSubjects.GetConfig, msg, rid);
  }

  @Put('config/antispam')
  @AuditObject((c: AntispamController, a) => c.getConfig(a.principal, a.requestId))
  @Authenticated({ scope: 'antispam:write' })
  @ApiOperation({
    summary: 'Replace the anti-spam settings',
    description: `${PLATFORM} Replaces the DNSBL and greylisting fields of the global configuration (fields left out revert to built-in defaults); other global fields are untouched. Other fields are 400.`,
  })
  @ApiBody({ type: AntispamSettingsInputDto })
  @ApiOkResponse({ type: AntispamSettingsDto })
  @ApiErrors(400, 403, 415)
  putConfig(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Body() body: Record<string, unknown>): Promise<AntispamSettings> {
    const msg: PutAntispamConfigRpc = { ctx: callerContext(p, rid), settings: body };
    return this.rpc.send(AntispamSubjects.PutConfig, msg, rid);
  }

  @Get('antispam/whitelist')
  @Authenticated({ scope: 'antispam:read' })
  @ApiOperation({ summary: 'List whitelist entries', description: `${PLATFORM} Search matches the value; filter by entry_type.` })
  @ApiOkResponse({ type: AntispamEntryListDto })
  @ApiErrors(400, 403)
  listWhitelist(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ListAntispamEntriesQueryDto): Promise<AntispamEntryListDto> {
    return this.list(p, rid, 'whitelist', query);
  }

  @Post('antispam/whitelist')
  @Authenticated({ scope: 'antispam:write' })
  @ApiOperation({ summary: 'Add a whitelist entry', description: CREATE_DOC })
  @ApiCreatedResponse({ type: AntispamEntryDto, headers: { Location: { description: 'URL of the new entry', schema: { type: 'string' } } } })
  @ApiErrors(400, 403, 409, 415)
  createWhitelist(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: CreateAntispamEntryDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<AntispamEntryDto> {
    return this.create(p, rid, 'whitelist', body, res);
  }

  @Delete('antispam/whitelist/:id')
  @Authenticated({ scope: 'antispam:write' })
  @ApiOperation({ summary: 'Delete a whitelist entry', description: PLATFORM })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'whitelist entry deleted' } })
  @ApiErrors(403, 404)
  deleteWhitelist(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('id') id: string): Promise<MessageResponseDto> {
    return this.delete(p, rid, 'whitelist', id);
  }

  @Get('antispam/blacklist')
  @Authenticated({ scope: 'antispam:read' })
  @ApiOperation({ summary: 'List blacklist entries', description: `${PLATFORM} Search matches the value; filter by entry_type.` })
  @ApiOkResponse({ type: AntispamEntryListDto })
  @ApiErrors(400, 403)
  listBlacklist(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ListAntispamEntriesQueryDto): Promise<AntispamEntryListDto> {
    return this.list(p, rid, 'blacklist', query);
  }

  @Post('antispam/blacklist')
  @Authenticated({ scope: 'antispam:write' })
  @ApiOperation({ summary: 'Add a blacklist entry', description: CREATE_DOC })
  @ApiCreatedResponse({ type: AntispamEntryDto, headers: { Location: { description: 'URL of the new entry', schema: { type: 'string' } } } })
  @ApiErrors(400, 403, 409, 415)
  createBlacklist(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: CreateAntispamEntryDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<AntispamEntryDto> {
    return this.create(p, rid, 'blacklist', body, res);
  }

  @Delete('antispam/blacklist/:id')
  @Authenticated({ scope: 'antispam:write' })
  @ApiOperation({ summary: 'Delete a blacklist entry', description: PLATFORM })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'blacklist entry deleted' } })
  @ApiErrors(403, 404)
  deleteBlacklist(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('id') id: string): Promise<MessageResponseDto> {
    return this.delete(p, rid, 'blacklist', id);
  }

  private list(p: Principal, rid: string, list: AntispamList, query: ListAntispamEntriesQueryDto): Promise<AntispamEntryListDto> {
    const msg: ListAntispamEntriesRpc = { ctx: callerContext(p, rid), list, query };
    return this.rpc.send(AntispamSubjects.ListEntries, msg, rid);
  }

  private async create(p: Principal, rid: string, list: AntispamList, body: CreateAntispamEntryDto, res: FastifyReply): Promise<AntispamEntryDto> {
    const msg: CreateAntispamEntryRpc = { ctx: callerContext(p, rid), list, body };
    const entry = await this.rpc.send<AntispamEntryDto>(AntispamSubjects.CreateEntry, msg, rid);
    void res.status(201).header('Location', `/api/v1/antispam/${list}/${entry.id}`);
    return entry;
  }

  private delete(p: Principal, rid: string, list: AntispamList, id: string): Promise<MessageResponseDto> {
    const msg: AntispamEntryRefRpc = { ctx: callerContext(p, rid), list, id };
    return this.rpc.send(AntispamSubjects.DeleteEntry, msg, rid);
  }
}
