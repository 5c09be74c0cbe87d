import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { ListMetaDto, PageQueryDto } from '../pagination.js';
import { IsOptionalNotNull, ToBoolean } from '../validators.js';

export const TENANT_SORT_FIELDS = ['name', 'created_at', 'updated_at', 'active'] as const;
export type TenantSortField = (typeof TENANT_SORT_FIELDS)[number];
export const TENANT_LIMIT_FIELDS = ['max_domains', 'max_mailboxes', 'max_aliases', 'storage_bytes'] as const;
export type TenantLimitField = (typeof TENANT_LIMIT_FIELDS)[number];

/** Letters, digits, dot, dash, underscore; starts with a letter or digit (it appears in CLI flags and URLs). */
export const TENANT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const NAME_MESSAGE = 'name must be 1-100 characters: letters, digits, ".", "-", "_", starting with a letter or digit';
const LIMIT_DOC =
  'null = unlimited; 0 = none allowed. Lowering it below current usage is allowed (nothing is removed; new items are refused) and shows up in `over_limits`.';
/** storage_bytes fits a bigint and a JS number exactly. */
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
const MAX_COUNT = 2_147_483_647;

export class TenantDto {
  @ApiProperty({ format: 'uuid', example: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }) id: string;
  @ApiProperty({ example: 'acme' }) name: string;
  @ApiProperty({ description: 'false = suspended: its accounts and keys are refused and its domains leave the mail stack', example: true }) active: boolean;
  @ApiProperty({ description: 'The platform tenant (BOOTSTRAP_TENANT_NAME): cannot be renamed, suspended or deleted', example: false }) platform: boolean;
  @ApiProperty({ type: Number, nullable: true, description: LIMIT_DOC, example: 10 }) max_domains: number | null;
  @ApiProperty({ type: Number, nullable: true, description: LIMIT_DOC, example: 500 }) max_mailboxes: number | null;
  @ApiProperty({ type: Number, nullable: true, description: LIMIT_DOC, example: 1000 }) max_aliases: number | null;
  @ApiProperty({ type: Number, nullable: true, description: `Total mailbox quota the tenant may allot, bytes. ${LIMIT_DOC}`, example: 107374182400 })
  storage_bytes: number | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) updated_at: string;
}

export class TenantUsageDto {
  @ApiProperty({ example: 2 }) domains: number;
  @ApiProperty({ example: 40 }) mailboxes: number;
  @ApiProperty({ example: 12 }) aliases: number;
  @ApiProperty({
    description:
      'Storage allotted, not used on disk: the sum of the mailboxes’ effective quotas (override, row, mailbox defaults, 1 GiB), what storage_bytes is checked against. Mailboxes with an unlimited quota (0) are counted in unlimited_mailboxes, not here.',
    example: 42949672960,
  })
  storage_bytes: number;
  @ApiProperty({ description: 'Mailboxes whose effective quota is unlimited (0)', example: 0 }) unlimited_mailboxes: number;
}

export class TenantDetailDto extends TenantDto {
  @ApiProperty({ type: TenantUsageDto }) usage: TenantUsageDto;
  @ApiProperty({ type: [String], enum: TENANT_LIMIT_FIELDS, description: 'Limits current usage already exceeds (after a limit was lowered)', example: [] })
  over_limits: TenantLimitField[];
}

export class TenantListDto {
  @ApiProperty({ type: [TenantDetailDto], description: 'Each tenant with its usage and over_limits, as GET /tenants/{id} answers' }) data: TenantDetailDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListTenantsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name', example: 'acme' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;

  @ApiPropertyOptional({ enum: TENANT_SORT_FIELDS, default: 'name' })
  @IsOptional()
  @IsIn(TENANT_SORT_FIELDS, { message: `sort must be one of: ${TENANT_SORT_FIELDS.join(', ')}` })
  sort?: TenantSortField;

  @ApiPropertyOptional({ type: Boolean, description: 'Only active (true) or suspended (false) tenants' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;
}

/** A limit: absent = unchanged (default unlimited on create), null = unlimited, else a non-negative integer. */
const Limit = (max: number) => (target: object, key: string) => {
  ValidateIf((_, v) => v !== undefined && v !== null)(target, key);
  IsInt({ message: `${key} must be an integer or null` })(target, key);
  Min(0, { message: `${key} must be 0 or more (null = unlimited)` })(target, key);
  Max(max, { message: `${key} must be at most ${max}` })(target, key);
};

/** What create and update share: the active flag and the limits. */
class TenantSettingsInputDto {
  @ApiPropertyOptional({ description: 'false suspends the tenant at once', example: true })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: Number, nullable: true, description: LIMIT_DOC, example: 10 })
  @Limit(MAX_COUNT)
  max_domains?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: LIMIT_DOC, example: 500 })
  @Limit(MAX_COUNT)
  max_mailboxes?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: LIMIT_DOC, example: 1000 })
  @Limit(MAX_COUNT)
  max_aliases?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, description: `Bytes. ${LIMIT_DOC}`, example: 107374182400 })
  @Limit(MAX_BYTES)
  storage_bytes?: number | null;
}

export class CreateTenantDto extends TenantSettingsInputDto {
  @ApiProperty({ example: 'acme', pattern: TENANT_NAME_PATTERN.source })
  @IsString()
  @Matches(TENANT_NAME_PATTERN, { message: NAME_MESSAGE })
  name: string;
}

export class UpdateTenantDto extends TenantSettingsInputDto {
  @ApiPropertyOptional({ example: 'acme', pattern: TENANT_NAME_PATTERN.source })
  @IsOptionalNotNull()
  @IsString()
  @Matches(TENANT_NAME_PATTERN, { message: NAME_MESSAGE })
  name?: string;
}

export class DeleteTenantQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Also delete its domains, mailboxes, aliases, DKIM keys, accounts and API keys (otherwise 409 while it owns domains)',
  })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'cascade must be true or false' })
  cascade?: boolean;
}
