import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { ListMetaDto, PageQueryDto } from '../pagination.js';
import { IsRfc3339DateTime } from '../validators.js';

export type AuditActorType = 'account' | 'api_key' | 'anonymous';

export class AuditActorDto {
  @ApiProperty({ enum: ['account', 'api_key', 'anonymous'], example: 'api_key', description: '`anonymous` = no valid credential (e.g. a failed login).' })
  type: AuditActorType;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The account (for keys: the account that owns the key).' })
  account_id: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'admin@example.com', description: 'For a failed login: the e-mail that was tried.' })
  email: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) api_key_id: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'ci deploy' }) api_key_name: string | null;
}

export class AuditOutcomeDto {
  @ApiProperty({ example: 201 }) status: number;
  @ApiProperty({ nullable: true, type: String, example: null, description: 'The error envelope’s `code` when the request failed.' })
  error_code: string | null;
}

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) occurred_at: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null when no tenant is known (failed login for an unknown e-mail).' })
  tenant_id: string | null;
  @ApiProperty({ type: AuditActorDto }) actor: AuditActorDto;
  @ApiProperty({ example: '203.0.113.7', description: 'Client IP as resolved with TRUST_PROXY.' }) ip: string;
  @ApiProperty({ nullable: true, type: String, example: 'curl/8.5.0' }) user_agent: string | null;
  @ApiProperty({ example: 'POST' }) method: string;
  @ApiProperty({ example: '/api/v1/domains' }) path: string;
  @ApiProperty({ example: 'domains.create', description: 'See the GET /audit-log description for how actions are named.' }) action: string;
  @ApiProperty({ example: 'domains' }) resource: string;
  @ApiProperty({ nullable: true, type: String, example: '3f0c…' }) resource_id: string | null;
  @ApiProperty({ type: AuditOutcomeDto }) outcome: AuditOutcomeDto;
  @ApiProperty({ nullable: true, type: String }) request_id: string | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description: 'The requested change: the request body, secrets replaced by "[REDACTED]".',
    example: { name: 'example.com' },
  })
  changes: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description:
      'The object before the change, as the caller could read it (its GET route, read just before the change; secrets redacted). ' +
      'null for creates, failures, and routes without a readable object.',
  })
  before: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description:
      'The object after a successful change (secrets redacted): the response when it is the object (create, PATCH/PUT), else the object read back ' +
      '(rotate, hold, password change, …). null for failures and deletes.',
  })
  after: Record<string, unknown> | null;
  @ApiProperty({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'object', properties: { before: {}, after: {} } },
    description: 'Changed fields when both `before` and `after` exist, keyed by dotted path; each `{before, after}` (a missing side is null).',
    example: { active: { before: true, after: false }, updated_at: { before: '2027-01-01T11:00:00.000Z', after: '2027-01-01T12:00:00.000Z' } },
  })
  diff: Record<string, { before: unknown; after: unknown }> | null;
}

export class AuditEntryListDto {
  @ApiProperty({ type: [AuditEntryDto] }) data: AuditEntryDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListAuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Account id, API key id, or e-mail of the actor.', example: 'admin@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  actor?: string;

  @ApiPropertyOptional({ example: 'domains.create', description: 'Exact action, or a prefix ending in `.` (`domains.`).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  action?: string;

  @ApiPropertyOptional({ example: 'domains' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  resource?: string;

  @ApiPropertyOptional({ description: 'Only with `resource`-style ids: the object’s id or name.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  resource_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339; entries at or after.' })
  @IsOptional()
  @IsRfc3339DateTime()
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339; entries before.' })
  @IsOptional()
  @IsRfc3339DateTime()
  until?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Platform admins only: one tenant’s entries.' })
  @IsOptional()
  @IsUUID('all', { message: 'tenant_id must be a UUID' })
  tenant_id?: string;
}
