import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { ListMetaDto, PageQueryDto } from '../pagination.js';
import { IsOptionalNotNull, ToBoolean } from '../validators.js';

export const MAILBOX_SORT_FIELDS = ['address', 'created_at', 'updated_at', 'quota_bytes'] as const;
export type MailboxSortField = (typeof MAILBOX_SORT_FIELDS)[number];
/** Longest password accepted at all (the policy sets the minimum). */
export const MAILBOX_PASSWORD_MAX_LENGTH = 256;

export class MailboxDto {
  @ApiProperty({ format: 'uuid', example: '6a1e2f3d-4c5b-4a69-8e7f-901a2b3c4d5e' }) id: string;
  @ApiProperty({ format: 'uuid', example: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }) tenant_id: string;
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-8d4a-4c55-9f0e-2a7b1c3d4e5f' }) domain_id: string;
  @ApiProperty({ description: 'Domain name (punycode)', example: 'example.com' }) domain: string;
  @ApiProperty({ description: 'Lower-case local part', example: 'alice' }) local_part: string;
  @ApiProperty({ description: 'Full address, lower-case', example: 'alice@example.com' }) address: string;
  @ApiProperty({ description: 'Display name', example: 'Alice Example' }) name: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Quota in bytes; null = inherited from the configuration', example: 5368709120 })
  quota_bytes: number | null;
  @ApiProperty({ example: true }) active: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) updated_at: string;
}

export class MailboxListDto {
  @ApiProperty({ type: [MailboxDto] }) data: MailboxDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListMailboxesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the address', example: 'alice' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  search?: string;

  @ApiPropertyOptional({ enum: MAILBOX_SORT_FIELDS, default: 'address' })
  @IsOptional()
  @IsIn(MAILBOX_SORT_FIELDS, { message: `sort must be one of: ${MAILBOX_SORT_FIELDS.join(', ')}` })
  sort?: MailboxSortField;

  @ApiPropertyOptional({ type: Boolean, description: 'Only active (true) or inactive (false) mailboxes' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ description: 'Only this domain’s mailboxes (UUID or name)', example: 'example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  domain?: string;
}

export class CreateMailboxDto {
  @ApiProperty({
    description: 'Local part, or the full address (its domain must be the mailbox’s domain). Stored lower-case.',
    example: 'alice',
  })
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  username: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The mailbox’s domain (or give `domain`, or a full address as `username`)' })
  @IsOptionalNotNull()
  @IsUUID()
  domain_id?: string;

  @ApiPropertyOptional({ description: 'The mailbox’s domain by name (or UUID)', example: 'example.com' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(1024)
  domain?: string;

  @ApiPropertyOptional({ description: 'Display name', example: 'Alice Example', default: '' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(255)
  name?: string;

  @ApiProperty({
    description: 'Never returned or logged. Policy: minimum length and character classes from the configuration; must not contain the local part.',
    example: 'Tr0ub4dor&3-horse',
    writeOnly: true,
  })
  @IsDefined()
  @IsString()
  @MaxLength(MAILBOX_PASSWORD_MAX_LENGTH)
  password: string;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, description: 'Bytes; null or absent = inherit', example: 5368709120 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  quota_bytes?: number | null;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class UpdateMailboxDto {
  @ApiPropertyOptional({ example: 'Alice Smith' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(255)
  name?: string;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, description: 'Bytes; null = inherit', example: 10737418240 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  quota_bytes?: number | null;

  @ApiPropertyOptional({ example: false })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class SetMailboxPasswordDto {
  @ApiProperty({ description: 'The new password (same policy as on create); never returned or logged', example: 'N3w-Secret-Phrase!', writeOnly: true })
  @IsDefined()
  @IsString()
  @MaxLength(MAILBOX_PASSWORD_MAX_LENGTH)
  password: string;
}

/* RPC envelopes: what the gateway sends mailbox-service. */

export class ListMailboxesRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ListMailboxesQueryDto)
  query: ListMailboxesQueryDto;
}

export class CreateMailboxRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CreateMailboxDto)
  body: CreateMailboxDto;
}

/** `ref` is a UUID or an address. */
export class MailboxRefRpc extends WithCaller {
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  ref: string;
}

export class UpdateMailboxRpc extends MailboxRefRpc {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateMailboxDto)
  body: UpdateMailboxDto;
}

export class SetMailboxPasswordRpc extends MailboxRefRpc {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => SetMailboxPasswordDto)
  body: SetMailboxPasswordDto;
}
