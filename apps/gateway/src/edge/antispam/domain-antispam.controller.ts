import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NatsRpcClient } from '#common';
import {
  ANTISPAM_LISTS,
  AntispamEntryDto,
  AntispamEntryListDto,
  AntispamError,
  AntispamErrorCode,
  AntispamSubjects,
  CreateAntispamEntryDto,
  ListAntispamEntriesQueryDto,
  type AntispamEntryRefRpc,
  type AntispamList,
  type CreateAntispamEntryRpc,
  type ListAntispamEntriesRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';

const DOMAIN_PARAM = { name: 'domain', description: 'Domain UUID or name (IDN accepted)', example: 'example.com' };
const LIST_PARAM = { name: 'list', enum: ANTISPAM_LISTS, description: 'whitelist or blacklist' };
const ID_PARAM = { name: 'id', format: 'uuid', description: 'Entry UUID', example: '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' };
const SCOPE_DOC =
  'A domain’s own list, for mail to that domain: anyone who may see the domain manages it (platform, tenant and domain admins); ' +
  'another tenant’s domain is 404. A whitelisted sender skips greylisting and spam scoring for this domain; a blacklisted one is refused ' +
  'with 554. The platform lists (/antispam/…) are checked first. Applied by the next reconcile (started by the change).';

function listOf(list: string): AntispamList {
  if (!(ANTISPAM_LISTS as readonly string[]).includes(list)) {
    throw new AntispamError(AntispamErrorCode.NotFound, 'Not found', `No list ${JSON.stringify(list)}: use whitelist or blacklist.`);
  }
  return list as AntispamList;
}

/** HTTP ↔ domain-service for one domain's white/blacklist; every rule lives in the service. */
// Tagged with the domains: unlike /antispam/… (platform-only), these are the domain owner's.
@ApiTags('domains')
@ApiErrors(503, 504)
@Controller('domains')
export class DomainAntispamController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get(':domain/antispam/:list')
  @Authenticated({ scope: 'antispam:read' })
  @ApiOperation({ summary: 'List a domain’s white- or blacklist', description: `${SCOPE_DOC} Search matches the value; filter by entry_type.` })
  @ApiParam(DOMAIN_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiOkResponse({ type: AntispamEntryListDto })
  @ApiErrors(400, 403, 404)
  list(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('domain') domain: string,
    @Param('list') list: string,
    @Query() query: ListAntispamEntriesQueryDto,
  ): Promise<AntispamEntryListDto> {
    const msg: ListAntispamEntriesRpc = { ctx: callerContext(p, rid), list: listOf(list), domain, query };
    return this.rpc.send(AntispamSubjects.ListEntries, msg, rid);
  }

  @Post(':domain/antispam/:list')
  @Authenticated({ scope: 'antispam:write' })
  @ApiOperation({
    summary: 'Add an entry to a domain’s white- or blacklist',
    description: `${SCOPE_DOC} entry_type ip, cidr, domain (the sender's) or email (the sender); the same entry twice is 409.`,
  })
  @ApiParam(DOMAIN_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiCreatedResponse({ type: AntispamEntryDto, headers: { Location: { description: 'URL of the new entry', schema: { type: 'string' } } } })
  @ApiErrors(400, 403, 404, 409, 415)
  async create(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('domain') domain: string,
    @Param('list') list: string,
    @Body() body: CreateAntispamEntryDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<AntispamEntryDto> {
    const msg: CreateAntispamEntryRpc = { ctx: callerContext(p, rid), list: listOf(list), domain, body };
    const entry = await this.rpc.send<AntispamEntryDto>(AntispamSubjects.CreateEntry, msg, rid);
    void res.status(201).header('Location', `/api/v1/domains/${entry.domain_id}/antispam/${list}/${entry.id}`);
    return entry;
  }

  @Delete(':domain/antispam/:list/:id')
  @Authenticated({ scope: 'antispam:write' })
  @ApiOperation({ summary: 'Delete an entry of a domain’s white- or blacklist', description: SCOPE_DOC })
  @ApiParam(DOMAIN_PARAM)
  @ApiParam(LIST_PARAM)
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'blacklist entry deleted' } })
  @ApiErrors(403, 404)
  delete(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('domain') domain: string,
    @Param('list') list: string,
    @Param('id') id: string,
  ): Promise<MessageResponseDto> {
    const msg: AntispamEntryRefRpc = { ctx: callerContext(p, rid), list: listOf(list), domain, id };
    return this.rpc.send(AntispamSubjects.DeleteEntry, msg, rid);
  }
}
