import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ALL_SCOPES, EmptyBodyDto, PLATFORM_ONLY_RESOURCES, SCOPE_DESCRIPTIONS, type Paginated, type ScopeResource } from '#contracts';
import { Authenticated, CurrentPrincipal } from '../../shared/authenticated.decorator.js';
import type { Principal } from '../../shared/principal.js';
import { requireEmptyBody } from '../../shared/node-rpc.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyDto, ApiKeyListDto, CreatedApiKeyDto, ListApiKeysQueryDto, ScopeCatalogDto } from './dto/api-key.dto.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { UpdateApiKeyDto } from './dto/update-api-key.dto.js';
import { AuditObject } from '../audit/audit-object.decorator.js';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get('scopes')
  @Authenticated()
  @ApiOperation({ summary: 'The scope catalog', description: '`<resource>:write` implies `<resource>:read`; `*` is everything.' })
  @ApiOkResponse({ type: ScopeCatalogDto })
  scopes(): ScopeCatalogDto {
    return {
      data: ALL_SCOPES.map((scope) => {
        if (scope === '*') return { scope, resource: '*', access: 'all', description: 'Every scope', platform_only: true };
        const [resource, access] = scope.split(':') as [ScopeResource, string];
        return { scope, resource, access, description: SCOPE_DESCRIPTIONS[resource], platform_only: PLATFORM_ONLY_RESOURCES.has(resource) };
      }),
    };
  }

  @Get()
  @Authenticated({ scope: 'api_keys:read' })
  @ApiOperation({ summary: 'List API keys', description: 'Your tenant’s keys (platform admins: all). Secrets are never returned.' })
  @ApiOkResponse({ type: ApiKeyListDto })
  @ApiErrors(400)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListApiKeysQueryDto): Promise<Paginated<ApiKeyDto>> {
    return this.keys.list(p, q);
  }

  @Post()
  @Authenticated({ scope: 'api_keys:write' })
  @ApiOperation({
    summary: 'Create an API key',
    description: 'The full key (`mp_<keyid>_<secret>`) is in this response only. A key can never carry more rights than its creator.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto, headers: { Location: { description: 'URL of the new key', schema: { type: 'string' } } } })
  @ApiErrors(400, 403, 415)
  async create(@CurrentPrincipal() p: Principal, @Body() body: CreateApiKeyDto, @Res({ passthrough: true }) res: FastifyReply): Promise<CreatedApiKeyDto> {
    const key = await this.keys.create(p, body);
    void res.status(201).header('Location', `/api/v1/api-keys/${key.id}`);
    return key;
  }

  @Get(':id')
  @Authenticated({ scope: 'api_keys:read' })
  @ApiOperation({ summary: 'Get an API key' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiErrors(404)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ApiKeyDto> {
    return this.keys.get(p, id);
  }

  @Patch(':id')
  @AuditObject((c: ApiKeysController, a) => c.get(a.principal, a.params.id))
  @Authenticated({ scope: 'api_keys:write' })
  @ApiOperation({
    summary: 'Change an API key',
    description:
      'Changes name, scopes, domain_allowlist, expires_at and/or ip_allowlist (null clears a list or the expiry). Same rules as creation: ' +
      'never beyond your own rights (403), a key restricted by scopes or domains changes only itself and the keys it minted. ' +
      'The key must stay within the key that minted it, and every live key it minted must stay within it: narrowing below a ' +
      'child is refused with 409 naming the child. Takes effect within a second on every gateway replica.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiErrors(400, 403, 404, 409, 415)
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: UpdateApiKeyDto): Promise<ApiKeyDto> {
    return this.keys.update(p, id, body);
  }

  @Post(':id/rotate')
  @AuditObject((c: ApiKeysController, a) => c.get(a.principal, a.params.id))
  @HttpCode(200)
  @Authenticated({ scope: 'api_keys:write' })
  @ApiOperation({
    summary: 'Rotate an API key',
    description:
      'Send an empty JSON body (`{}`). Issues a new key id and secret for the same key (same id, scopes, allow-lists, expiry, lineage). The new full key is in this ' +
      'response only (200: no new resource is created). The old key stops working at once on this replica and within ' +
      'AUTH_CACHE_TTL_MS (1 s) on every other.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: EmptyBodyDto })
  @ApiOkResponse({ type: CreatedApiKeyDto })
  @ApiErrors(400, 404, 409, 415)
  rotate(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown): Promise<CreatedApiKeyDto> {
    requireEmptyBody(body);
    return this.keys.rotate(p, id);
  }

  @Delete(':id')
  @AuditObject((c: ApiKeysController, a) => c.get(a.principal, a.params.id))
  @Authenticated({ scope: 'api_keys:write' })
  @ApiOperation({ summary: 'Revoke an API key', description: 'Takes effect within a second on every gateway replica.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'api key revoked' } })
  @ApiErrors(404, 409)
  async revoke(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<MessageResponseDto> {
    await this.keys.revoke(p, id);
    return { message: 'api key revoked' };
  }
}
