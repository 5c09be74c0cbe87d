import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NatsRpcClient } from '#common';
import {
  CreateMailboxDto,
  ListMailboxesQueryDto,
  MailboxDto,
  MailboxListDto,
  MailboxSubjects,
  SetMailboxPasswordDto,
  UpdateMailboxDto,
  type CreateMailboxRpc,
  type ListMailboxesRpc,
  type MailboxRefRpc,
  type SetMailboxPasswordRpc,
  type UpdateMailboxRpc,
  MailboxEffectiveDto,
  MailboxOverridesDto,
  type PutMailboxOverridesRpc,
} from '#contracts';
import { Authenticated, CurrentPrincipal, RequestId } from '../../shared/authenticated.decorator.js';
import { callerContext, type Principal } from '../../shared/principal.js';
import { ApiErrors, ApiQuotaExceeded } from '../../shared/api-errors.decorator.js';
import { MessageResponseDto } from '../../shared/error-response.dto.js';
import { AuditObject } from '../../identity/audit/audit-object.decorator.js';

const REF_PARAM = { name: 'mailbox', description: 'Mailbox UUID or address', example: 'alice@example.com' };

/** HTTP ↔ mailbox-service over NATS; every rule lives in the service. Passwords are never returned. */
@ApiTags('mailboxes')
@ApiErrors(503, 504)
@Controller('mailboxes')
export class MailboxesController {
  constructor(private readonly rpc: NatsRpcClient) {}

  @Get()
  @Authenticated({ scope: 'mailboxes:read' })
  @ApiOperation({
    summary: 'List mailboxes',
    description: 'Mailboxes in the domains you can see; filter by domain (UUID or name), active, search on the address.',
  })
  @ApiOkResponse({ type: MailboxListDto })
  @ApiErrors(400)
  list(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Query() query: ListMailboxesQueryDto): Promise<MailboxListDto> {
    const msg: ListMailboxesRpc = { ctx: callerContext(p, rid), query };
    return this.rpc.send(MailboxSubjects.List, msg, rid);
  }

  @Post()
  @Authenticated({ scope: 'mailboxes:write' })
  @ApiOperation({
    summary: 'Create a mailbox',
    description:
      'The password is hashed in the configured Dovecot scheme and never returned. 409 when a mailbox or alias already uses the address; 404 when the domain is not visible to you.',
  })
  @ApiCreatedResponse({ type: MailboxDto, headers: { Location: { description: 'URL of the new mailbox', schema: { type: 'string' } } } })
  @ApiErrors(400, 404, 415)
  @ApiQuotaExceeded(true)
  async create(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Body() body: CreateMailboxDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<MailboxDto> {
    const msg: CreateMailboxRpc = { ctx: callerContext(p, rid), body };
    const mailbox = await this.rpc.send<MailboxDto>(MailboxSubjects.Create, msg, rid);
    void res.status(201).header('Location', `/api/v1/mailboxes/${mailbox.id}`);
    return mailbox;
  }

  @Get(':mailbox')
  @Authenticated({ scope: 'mailboxes:read' })
  @ApiOperation({ summary: 'Get a mailbox by UUID or address' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MailboxDto })
  @ApiErrors(404)
  get(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('mailbox') ref: string): Promise<MailboxDto> {
    const msg: MailboxRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(MailboxSubjects.Get, msg, rid);
  }

  @Patch(':mailbox')
  @AuditObject((c: MailboxesController, a) => c.get(a.principal, a.requestId, a.params.mailbox))
  @Authenticated({ scope: 'mailboxes:write' })
  @ApiOperation({
    summary: 'Update a mailbox',
    description:
      'Set `name`, `quota_bytes` (null = inherit) and/or `active`. A larger quota must fit the tenant’s storage_bytes and the domain’s quota_total_bytes (409 QUOTA_EXCEEDED otherwise).',
  })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MailboxDto })
  @ApiErrors(400, 404, 415)
  @ApiQuotaExceeded()
  update(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('mailbox') ref: string, @Body() body: UpdateMailboxDto): Promise<MailboxDto> {
    const msg: UpdateMailboxRpc = { ctx: callerContext(p, rid), ref, body };
    return this.rpc.send(MailboxSubjects.Update, msg, rid);
  }

  @Patch(':mailbox/password')
  @AuditObject((c: MailboxesController, a) => c.get(a.principal, a.requestId, a.params.mailbox), { responseIsState: false })
  @Authenticated({ scope: 'mailboxes:write' })
  @ApiOperation({ summary: 'Set a mailbox’s password', description: 'Same policy as on create; answers the mailbox (never the password or its hash).' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MailboxDto })
  @ApiErrors(400, 404, 415)
  setPassword(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('mailbox') ref: string,
    @Body() body: SetMailboxPasswordDto,
  ): Promise<MailboxDto> {
    const msg: SetMailboxPasswordRpc = { ctx: callerContext(p, rid), ref, body };
    return this.rpc.send(MailboxSubjects.SetPassword, msg, rid);
  }

  @Get(':mailbox/overrides')
  @Authenticated({ scope: 'mailboxes:read' })
  @ApiOperation({ summary: 'Get a mailbox’s overrides', description: 'Only the fields set on this mailbox; every other field is inherited.' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MailboxOverridesDto })
  @ApiErrors(404)
  getOverrides(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('mailbox') ref: string): Promise<Record<string, unknown>> {
    const msg: MailboxRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(MailboxSubjects.GetOverrides, msg, rid);
  }

  @Put(':mailbox/overrides')
  @AuditObject((c: MailboxesController, a) => c.getOverrides(a.principal, a.requestId, a.params.mailbox))
  @Authenticated({ scope: 'mailboxes:write' })
  @ApiOperation({
    summary: 'Set a mailbox’s overrides',
    description:
      'Sets the fields sent and leaves the others as they are; `null` reverts a field to inheritance. Unknown fields and invalid values are 400 ' +
      'with `fields` (nothing stored); message_size_limit above the global message_size_limit, or quota_bytes above the domain’s effective ' +
      'quota_total_bytes (when not 0), is 400 naming the cap. A larger quota must fit the tenant’s storage_bytes and the domain’s ' +
      'quota_total_bytes (409 QUOTA_EXCEEDED). Answers the overrides now stored.',
  })
  @ApiParam(REF_PARAM)
  @ApiBody({ type: MailboxOverridesDto })
  @ApiOkResponse({ type: MailboxOverridesDto })
  @ApiErrors(400, 404, 415)
  @ApiQuotaExceeded()
  putOverrides(
    @CurrentPrincipal() p: Principal,
    @RequestId() rid: string,
    @Param('mailbox') ref: string,
    @Body() body: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const msg: PutMailboxOverridesRpc = { ctx: callerContext(p, rid), ref, settings: body };
    return this.rpc.send(MailboxSubjects.PutOverrides, msg, rid);
  }

  @Get(':mailbox/effective')
  @Authenticated({ scope: 'mailboxes:read' })
  @ApiOperation({
    summary: 'Get a mailbox’s effective settings',
    description:
      'Every mailbox field with the value in force and where it came from: built-in `default` ← `global` (fields of the same name) ← ' +
      '`mailbox_defaults` ← `domain` (the domain’s overrides of spam_threshold, spam_action, message_size_limit) ← `mailbox` (its quota_bytes ' +
      'when set) ← `override`; the narrowest non-null value wins, and message_size_limit never exceeds the global one.',
  })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MailboxEffectiveDto })
  @ApiErrors(404)
  effective(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('mailbox') ref: string): Promise<MailboxEffectiveDto> {
    const msg: MailboxRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(MailboxSubjects.GetEffective, msg, rid);
  }

  @Delete(':mailbox')
  @AuditObject((c: MailboxesController, a) => c.get(a.principal, a.requestId, a.params.mailbox))
  @Authenticated({ scope: 'mailboxes:write' })
  @ApiOperation({ summary: 'Delete a mailbox', description: 'Frees its address; its overrides go with it.' })
  @ApiParam(REF_PARAM)
  @ApiOkResponse({ type: MessageResponseDto, example: { message: 'mailbox deleted' } })
  @ApiErrors(404)
  delete(@CurrentPrincipal() p: Principal, @RequestId() rid: string, @Param('mailbox') ref: string): Promise<MessageResponseDto> {
    const msg: MailboxRefRpc = { ctx: callerContext(p, rid), ref };
    return this.rpc.send(MailboxSubjects.Delete, msg, rid);
  }
}
