import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CreateTenantDto, DeleteTenantQueryDto, ListTenantsQueryDto, TenantDetailDto, TenantListDto, UpdateTenantDto, type Paginated } from '#contracts';
import { Authenticated, CurrentPrincipal } from '../../shared/authenticated.decorator.js';
import type { Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { TenantsService } from './tenants.service.js';
import { AuditObject } from '../audit/audit-object.decorator.js';

const REF = { name: 'id', description: 'Tenant UUID or name', example: 'acme' };
const DETAIL_EXAMPLE = {
  id: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'acme',
  active: true,
  platform: false,
  max_domains: 10,
  max_mailboxes: 500,
  max_aliases: null,
  storage_bytes: 107374182400,
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
  usage: { domains: 2, mailboxes: 40, aliases: 12, storage_bytes: 42949672960, unlimited_mailboxes: 0 },
  over_limits: [],
};

/** Platform admins only: tenants:* is a platform-only scope, so tenant callers get 403 on every route. */
@ApiTags('tenants')
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @Authenticated({ scope: 'tenants:read' })
  @ApiOperation({
    summary: 'List tenants with their usage',
    description:
      'Search by name, filter by active, sort by name, created_at, updated_at or active. Each tenant carries usage and over_limits as GET /tenants/{id} does.',
  })
  @ApiOkResponse({ type: TenantListDto, example: { data: [DETAIL_EXAMPLE], meta: { page: 1, limit: 50, total: 1 } } })
  @ApiErrors(400, 403)
  list(@Query() q: ListTenantsQueryDto): Promise<Paginated<TenantDetailDto>> {
    return this.tenants.list(q);
  }

  @Post()
  @Authenticated({ scope: 'tenants:write' })
  @ApiOperation({
    summary: 'Create a tenant',
    description: 'Limits: null or absent = unlimited, 0 = none allowed. A tenant created with active=false is suspended from the start.',
  })
  @ApiCreatedResponse({
    type: TenantDetailDto,
    example: DETAIL_EXAMPLE,
    headers: { Location: { description: 'URL of the new tenant', schema: { type: 'string' } } },
  })
  @ApiErrors(400, 403, 409, 415)
  async create(@Body() body: CreateTenantDto, @Res({ passthrough: true }) res: FastifyReply): Promise<TenantDetailDto> {
    const tenant = await this.tenants.create(body);
    void res.status(201).header('Location', `/api/v1/tenants/${tenant.id}`);
    return tenant;
  }

  @Get(':id')
  @Authenticated({ scope: 'tenants:read' })
  @ApiOperation({
    summary: 'Get a tenant with its usage',
    description:
      'usage.storage_bytes is storage allotted (the sum of the mailboxes’ effective quotas), not bytes on disk; over_limits lists limits usage already exceeds.',
  })
  @ApiParam(REF)
  @ApiOkResponse({ type: TenantDetailDto, example: DETAIL_EXAMPLE })
  @ApiErrors(403, 404)
  get(@Param('id') id: string): Promise<TenantDetailDto> {
    return this.tenants.get(id);
  }

  @Patch(':id')
  @AuditObject((c: TenantsController, a) => c.get(a.params.id))
  @Authenticated({ scope: 'tenants:write' })
  @ApiOperation({
    summary: 'Change a tenant’s name, limits or active flag',
    description:
      'active=false suspends the tenant: its accounts and API keys get 401 ACCOUNT_DISABLED (at once on this replica, within AUTH_CACHE_TTL_MS on the others) and its domains leave the mail-stack views. ' +
      'Changing active publishes events.tenant.suspended or events.tenant.resumed after the commit, and an automatic reconcile follows on every mail node (debounced; see GET /jobs?type=reconcile): ' +
      'OpenDKIM stops (or resumes) signing for the tenant’s domains. Renames and limit changes publish nothing and need no reconcile. ' +
      'A limit may be lowered below current usage: nothing is removed, new items are refused, and the response lists it in over_limits. ' +
      'The platform tenant (and your own) cannot be suspended or renamed (409).',
  })
  @ApiParam(REF)
  @ApiOkResponse({ type: TenantDetailDto, example: DETAIL_EXAMPLE })
  @ApiErrors(400, 403, 404, 409, 415)
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: UpdateTenantDto): Promise<TenantDetailDto> {
    return this.tenants.update(p, id, body);
  }

  @Delete(':id')
  @AuditObject((c: TenantsController, a) => c.get(a.params.id))
  @Authenticated({ scope: 'tenants:write' })
  @ApiOperation({
    summary: 'Delete a tenant',
    description:
      '409 while it owns domains (the detail names the counts) unless cascade=true, which deletes its domains, mailboxes, aliases, DKIM keys, accounts and API keys in one transaction. ' +
      'After the commit events.tenant.deleted is published and an automatic reconcile follows on every mail node (debounced), removing the tenant’s DKIM keys from OpenDKIM. ' +
      'The platform tenant (and your own) cannot be deleted (409).',
  })
  @ApiParam(REF)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'tenant deleted' } })
  @ApiErrors(400, 403, 404, 409)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Query() q: DeleteTenantQueryDto): Promise<MessageResponseDto> {
    await this.tenants.remove(p, id, q.cascade ?? false);
    return { message: 'tenant deleted' };
  }
}
