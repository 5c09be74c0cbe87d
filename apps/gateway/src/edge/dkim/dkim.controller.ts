import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NatsRpcClient } from '#common';
import {
  CreateDkimKeyDto,
  DkimKeyDto,
  DkimKeyListDto,
  DkimSelectorQueryDto,
  DkimSubjects,
  ListDkimKeysQueryDto,
  RotateDkimKeyDto,
  type CreateDkimKeyRpc,
  type DkimKeyRefRpc,
  type ListDkimKeysRpc,
  type RotateDkimKeyRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const DOMAIN_PARAM = { name: 'domain', description: 'Domain UUID or name (ASCII or Unicode IDN)', example: 'example.com' };
const LOCATION = { Location: { description: 'URL of the new key (`/api/v1/dkim/{domain}?selector={selector}`)', schema: { type: 'string' } } };
const PRIVATE = 'The private key is generated here, stored encrypted, and never returned.';

/** Where a key lives in the API: its domain and selector. */
export function dkimKeyLocation(key: DkimKeyDto): string {
  return `/api/v1/dkim/${encodeURIComponent(key.domain)}?selector=${encodeURIComponent(key.selector)}`;
}

/** HTTP ↔ dkim-tls-service over NATS; every rule (selectors, which key signs) lives in the service. */
@ApiTags('dkim')
@ApiErrors(503, 504)
@Controller('dkim')
export class DkimController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get()
  @Authenticated({ scope: 'dkim:read' })
  @ApiOperation({
    summary: 'List DKIM keys',
    description:
      'Keys of the domains you can see, with their DNS records. Filter by domain (UUID or name) or algorithm; search matches the domain or the selector.',
  })
  @ApiOkResponse({ type: DkimKeyListDto })
  @ApiErrors(400)
  list(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ListDkimKeysQueryDto): Promise<DkimKeyListDto> {
    const msg: ListDkimKeysRpc = { ctx: callerContext(p, rid), query };
    return this.rpc.send(DkimSubjects.List, msg, rid);
  }

  @Post()
  @Authenticated({ scope: 'dkim:write' })
  @ApiOperation({
    summary: 'Create a DKIM key',
    description: `Generates a key for one of your domains (selector \`default\` and rsa-2048 unless given) and answers the TXT record to publish. ${PRIVATE} An existing selector on the domain is 409; an unknown domain 404.`,
  })
  @ApiCreatedResponse({ type: DkimKeyDto, headers: LOCATION })
  @ApiErrors(400, 404, 409, 415)
  async create(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: CreateDkimKeyDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<DkimKeyDto> {
    const msg: CreateDkimKeyRpc = { ctx: callerContext(p, rid), body };
    const key = await this.rpc.send<DkimKeyDto>(DkimSubjects.Create, msg, rid);
    void res.status(201).header('Location', dkimKeyLocation(key));
    return key;
  }

  @Get(':domain')
  @Authenticated({ scope: 'dkim:read' })
  @ApiOperation({
    summary: 'Get a domain’s DKIM key',
    description:
      'With `selector`: that key. Without: the key that signs the domain’s mail (when none signs — domain inactive, DKIM disabled, only Ed25519 keys — the newest). 404 when the domain has no such key.',
  })
  @ApiParam(DOMAIN_PARAM)
  @ApiOkResponse({ type: DkimKeyDto })
  @ApiErrors(400, 404)
  get(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('domain') domain: string, @Query() query: DkimSelectorQueryDto): Promise<DkimKeyDto> {
    const msg: DkimKeyRefRpc = { ctx: callerContext(p, rid), domain, selector: query.selector };
    return this.rpc.send(DkimSubjects.Get, msg, rid);
  }

  @Delete(':domain')
  @AuditObject((c: DkimController, a) => c.get(a.principal, a.requestId, a.params.domain, a.query as DkimSelectorQueryDto))
  @Authenticated({ scope: 'dkim:write' })
  @ApiOperation({
    summary: 'Delete a DKIM key',
    description:
      'Deletes the key with `selector`. `selector` may be left out only when the domain has exactly one key; with several it is 400 (the message lists them). ' +
      'Deleting the signing key makes the oldest remaining RSA key (the next rotated-in one) sign; remove the TXT record from DNS once no mail signed with it is in flight.',
  })
  @ApiParam(DOMAIN_PARAM)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'dkim key deleted' } })
  @ApiErrors(400, 404)
  delete(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('domain') domain: string,
    @Query() query: DkimSelectorQueryDto,
  ): Promise<MessageResponseDto> {
    const msg: DkimKeyRefRpc = { ctx: callerContext(p, rid), domain, selector: query.selector };
    return this.rpc.send(DkimSubjects.Delete, msg, rid);
  }

  @Post(':domain/rotate')
  @AuditObject((c: DkimController, a) => c.get(a.principal, a.requestId, a.params.domain, a.query as DkimSelectorQueryDto))
  @Authenticated({ scope: 'dkim:write' })
  @ApiOperation({
    summary: 'Rotate a domain’s DKIM key',
    description:
      `Creates the next key (selector \`s<YYYYMMDD>\` made unique unless given; algorithm of the signing key unless given). ${PRIVATE} ` +
      'The new key is published only (`signing: false`): the current key keeps signing, because receivers cannot verify a selector before its TXT record is in DNS. ' +
      'Publish the new record, then delete the old key: the oldest remaining RSA key signs, i.e. the new one. Send `{}` for all defaults.',
  })
  @ApiParam(DOMAIN_PARAM)
  @ApiBody({ type: RotateDkimKeyDto, required: false })
  @ApiCreatedResponse({ type: DkimKeyDto, headers: LOCATION })
  @ApiErrors(400, 404, 409, 415)
  async rotate(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('domain') domain: string,
    @Body() body: RotateDkimKeyDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<DkimKeyDto> {
    const msg: RotateDkimKeyRpc = { ctx: callerContext(p, rid), domain, body: body ?? {} };
    const key = await this.rpc.send<DkimKeyDto>(DkimSubjects.Rotate, msg, rid);
    void res.status(201).header('Location', dkimKeyLocation(key));
    return key;
  }
}
