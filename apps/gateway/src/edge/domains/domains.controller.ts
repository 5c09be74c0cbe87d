import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NatsRpcClient } from '#common';
import {
  CreatedDomainDto,
  CreateDomainDto,
  DkimSubjects,
  type CreateDkimKeyRpc,
  type DkimKeyDto,
  DeleteDomainQueryDto,
  DomainDto,
  DomainListDto,
  DomainSubjects,
  MailboxSubjects,
  ListDomainsQueryDto,
  UpdateDomainDto,
  type CreateDomainRpc,
  type DomainPurgeRpc,
  type DomainRefRpc,
  type ListDomainsRpc,
  type UpdateDomainRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, forbidDomainAdmin, requireScopes, type Principal } from '../../shared/principal.js';
import { ApiErrors, ApiQuotaExceeded } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const REF_PARAM = { name: 'domain', description: 'Domain UUID or name (IDN accepted)', example: 'example.com' };

/** HTTP ↔ domain-service over NATS; every rule lives in the service. */
@ApiTags('domains')
@ApiErrors(503, 504)
@Controller('domains')
export class DomainsController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get()
  @Authenticated({ scope: 'domains:read' })
  @ApiOperation({ summary: 'List domains', description: 'Your tenant’s domains (platform admins: all), filtered by the key’s domain allow-list.' })
  @ApiOkResponse({ type: DomainListDto })
  @ApiErrors(400)
  list(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ListDomainsQueryDto): Promise<DomainListDto> {
    const msg: ListDomainsRpc = { ctx: callerContext(p, rid), query };
    return this.rpc.send(DomainSubjects.List, msg, rid);
  }

  @Post()
  @Authenticated({ scope: 'domains:write' })
  @ApiOperation({
    summary: 'Create a domain',
    description:
      'The name is stored lower-case; IDN names are converted to punycode. A domain_admin cannot create domains (403). ' +
      'With `dkim: true` (needs dkim:write too, else 403 and nothing is created) a DKIM key is generated at once and answered as `dkim`; ' +
      'if that fails the domain is removed again and the error is answered.',
  })
  @ApiCreatedResponse({ type: CreatedDomainDto, headers: { Location: { description: 'URL of the new domain', schema: { type: 'string' } } } })
  @ApiErrors(400, 403, 415)
  @ApiQuotaExceeded(true)
  async create(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: CreateDomainDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<CreatedDomainDto> {
    forbidDomainAdmin(p, 'create domains');
    const { dkim, ...domainBody } = body;
    if (dkim) requireScopes(p, ['dkim:write'], 'Creating a domain with dkim: true');
    const ctx = callerContext(p, rid);
    const msg: CreateDomainRpc = { ctx, body: domainBody };
    const domain = await this.rpc.send<DomainDto>(DomainSubjects.Create, msg, rid);
    let created: CreatedDomainDto = domain;
    if (dkim) {
      try {
        const key: CreateDkimKeyRpc = { ctx, body: { domain: domain.id } };
        created = { ...domain, dkim: await this.rpc.send<DkimKeyDto>(DkimSubjects.Create, key, rid) };
      } catch (err) {
        // All or nothing: a domain asked for with a key does not stay without one.
        const undo: DomainRefRpc = { ctx, ref: domain.id };
        await this.rpc.send(DomainSubjects.Delete, undo, rid).catch(() => undefined);
        throw err;
      }
    }
    void res.status(201).header('Location', `/api/v1/domains/${domain.id}`);
    return created;
  }

  @Get(':domain')
  @Authenticated({ scope: 'domains:read' })
  @ApiOperation({ summary: 'Get a domain by UUID or name' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: DomainDto })
  @ApiErrors(404)
  get(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('domain') ref: string): Promise<DomainDto> {
    const msg: DomainRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(DomainSubjects.Get, msg, rid);
  }

  @Patch(':domain')
  @AuditObject((c: DomainsController, a) => c.get(a.principal, a.requestId, a.params.domain))
  @Authenticated({ scope: 'domains:write' })
  @ApiOperation({ summary: 'Update a domain', description: 'Set `active` and/or `outgoing_ip`.' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: DomainDto })
  @ApiErrors(400, 404, 415)
  update(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('domain') ref: string, @Body() body: UpdateDomainDto): Promise<DomainDto> {
    const msg: UpdateDomainRpc = { ctx: callerContext(p, rid), ref, body };
    return this.rpc.send(DomainSubjects.Update, msg, rid);
  }

  @Delete(':domain')
  @AuditObject((c: DomainsController, a) => c.get(a.principal, a.requestId, a.params.domain))
  @Authenticated({ scope: 'domains:write' })
  @ApiOperation({
    summary: 'Delete a domain',
    description:
      '409 CONFLICT while the domain has mailboxes or aliases (the detail says how many), unless `?cascade=true`: then mailbox-service removes them first ' +
      '(503 and nothing deleted while it is down), and a domain still not empty afterwards (a mailbox created meanwhile) is a 409. ' +
      'A cascade also needs `mailboxes:write` and `aliases:write`, since it deletes those too. A domain_admin cannot delete domains (403).',
  })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'domain deleted' } })
  @ApiErrors(400, 403, 404, 409)
  async delete(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('domain') ref: string,
    @Query() query: DeleteDomainQueryDto,
  ): Promise<MessageResponseDto> {
    forbidDomainAdmin(p, 'delete domains');
    if (query.cascade) requireScopes(p, ['mailboxes:write', 'aliases:write'], 'a cascading domain delete');
    const ctx = callerContext(p, rid);
    // Mailboxes and aliases are mailbox-service's rows: it removes them, as this caller, before domain-service deletes the domain.
    if (query.cascade) {
      const purge: DomainPurgeRpc = { ctx, ref };
      await this.rpc.send(MailboxSubjects.DomainPurge, purge, rid);
    }
    const msg: DomainRefRpc = { ctx, ref };
    return this.rpc.send(DomainSubjects.Delete, msg, rid);
  }
}
