import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Paginated } from '#contracts';
import { Authenticated, CurrentPrincipal } from '../../shared/authenticated.decorator.js';
import type { Principal } from '../../shared/principal.js';
import { ApiErrors } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { AccountsService } from './accounts.service.js';
import { AccountDto, AccountListDto, CreateAccountDto, ListAccountsQueryDto, UpdateAccountDto } from './dto/account.dto.js';
import { AuditObject } from '../audit/audit-object.decorator.js';

const REF = { name: 'id', description: 'Account UUID', example: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5' };
const EXAMPLE = {
  id: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
  email: 'ops@example.com',
  role: 'domain_admin',
  tenant_id: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  active: true,
  delegated_domains: ['example.com'],
  last_login_at: null,
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
};

/** Tenant admins manage their tenant's accounts, platform admins any; domain admins get 403 (role). */
@ApiTags('accounts')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  @Authenticated({ scope: 'accounts:read' })
  @ApiOperation({
    summary: 'List accounts',
    description: 'Your tenant’s accounts (platform admins: every tenant’s, filter with tenant_id). Search by email, filter by role.',
  })
  @ApiOkResponse({ type: AccountListDto })
  @ApiErrors(400, 403)
  list(@CurrentPrincipal() p: Principal, @Query() q: ListAccountsQueryDto): Promise<Paginated<AccountDto>> {
    return this.accounts.list(p, q);
  }

  @Post()
  @Authenticated({ scope: 'accounts:write' })
  @ApiOperation({
    summary: 'Create an account',
    description:
      'Password policy: at least 12 characters mixing 3 of lower-case, upper-case, digits and other characters (400 otherwise). ' +
      'platform_admin only by platform admins (403) and only in the platform tenant (400). Tenant admins create accounts in their own tenant only (another tenant: 404). ' +
      'domain_admin accounts take delegated_domains (names or ids of the tenant’s domains; unknown or foreign: 404).',
  })
  @ApiCreatedResponse({ type: AccountDto, example: EXAMPLE, headers: { Location: { description: 'URL of the new account', schema: { type: 'string' } } } })
  @ApiErrors(400, 403, 404, 409, 415)
  async create(@CurrentPrincipal() p: Principal, @Body() body: CreateAccountDto, @Res({ passthrough: true }) res: FastifyReply): Promise<AccountDto> {
    const account = await this.accounts.create(p, body);
    void res.status(201).header('Location', `/api/v1/accounts/${account.id}`);
    return account;
  }

  @Get(':id')
  @Authenticated({ scope: 'accounts:read' })
  @ApiOperation({ summary: 'Get an account', description: 'Another tenant’s account is 404. The password is never returned.' })
  @ApiParam(REF)
  @ApiOkResponse({ type: AccountDto, example: EXAMPLE })
  @ApiErrors(403, 404)
  get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<AccountDto> {
    return this.accounts.get(p, id);
  }

  @Patch(':id')
  @AuditObject((c: AccountsController, a) => c.get(a.principal, a.params.id))
  @Authenticated({ scope: 'accounts:write' })
  @ApiOperation({
    summary: 'Change an account',
    description:
      'active=false revokes the account’s refresh tokens and API keys (this replica at once, others within AUTH_CACHE_TTL_MS); a new password revokes its refresh tokens. ' +
      'delegated_domains replaces the list. Deactivating yourself, changing your own role or demoting/deactivating the last platform admin: 409.',
  })
  @ApiParam(REF)
  @ApiOkResponse({ type: AccountDto, example: EXAMPLE })
  @ApiErrors(400, 403, 404, 409, 415)
  update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: UpdateAccountDto): Promise<AccountDto> {
    return this.accounts.update(p, id, body);
  }

  @Delete(':id')
  @AuditObject((c: AccountsController, a) => c.get(a.principal, a.params.id))
  @Authenticated({ scope: 'accounts:write' })
  @ApiOperation({ summary: 'Delete an account', description: 'Its API keys and refresh tokens go with it. Deleting yourself or the last platform admin: 409.' })
  @ApiParam(REF)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'account deleted' } })
  @ApiErrors(403, 404, 409)
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<MessageResponseDto> {
    await this.accounts.remove(p, id);
    return { message: 'account deleted' };
  }
}
