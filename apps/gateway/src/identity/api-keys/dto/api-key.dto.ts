import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListMetaDto, PageQueryDto } from '#contracts';

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Public key id (the part after mp_)', example: '9f86d081884c7d65' }) key_id: string;
  @ApiProperty({ description: 'First characters of the key, for recognising it', example: 'mp_9f86d081884c7d65_…' }) prefix: string;
  @ApiProperty({ example: 'billing integration' }) name: string;
  @ApiProperty({ format: 'uuid' }) account_id: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty({ type: [String], example: ['domains:write'] }) scopes: string[];
  @ApiProperty({ type: [String], nullable: true, example: null }) domain_allowlist: string[] | null;
  @ApiProperty({ type: [String], nullable: true, example: ['203.0.113.0/24'], description: 'CIDR blocks the key may be used from; null = anywhere' })
  ip_allowlist: string[] | null;
  @ApiProperty({ format: 'date-time', nullable: true }) expires_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, description: 'Recorded at most once a minute per key and replica (not a write per request)' })
  last_used_at: string | null;
  @ApiProperty({ nullable: true, example: '203.0.113.7' }) last_used_ip: string | null;
  @ApiProperty({ format: 'date-time', nullable: true }) revoked_at: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, description: 'The key that minted this one; revoking it revokes this one too' }) created_by_key_id:
    string | null;
  @ApiProperty({ type: 'integer', nullable: true, example: null, description: 'Requests per minute; null = the tenant’s limit, else RATE_LIMIT_PER_MIN' })
  rate_limit_per_min: number | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description: 'The full key. Shown only in this response; store it now.',
    example: 'mp_9f86d081884c7d65_q3T0d0b2Jk8S1lXyZ0a9cF7hN2mP4rV6tW8xY1zA3bC',
  })
  key: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) data: ApiKeyDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export const API_KEY_SORT_FIELDS = ['name', 'created_at', 'last_used_at'] as const;

export class ListApiKeysQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the name' }) @IsOptional() @IsString() @MaxLength(100) search?: string;
  @ApiPropertyOptional({ enum: API_KEY_SORT_FIELDS, default: 'created_at' })
  @IsOptional()
  @IsIn(API_KEY_SORT_FIELDS, { message: `sort must be one of: ${API_KEY_SORT_FIELDS.join(', ')}` })
  sort?: (typeof API_KEY_SORT_FIELDS)[number];
}

export class ScopeCatalogEntryDto {
  @ApiProperty({ example: 'domains:write' }) scope: string;
  @ApiProperty({ example: 'domains' }) resource: string;
  @ApiProperty({ enum: ['read', 'write', 'all'] }) access: string;
  @ApiProperty({ example: 'Mail domains and their overrides' }) description: string;
  @ApiProperty({ description: 'Only platform admins (and their keys) can use it' }) platform_only: boolean;
}

export class ScopeCatalogDto {
  @ApiProperty({ type: [ScopeCatalogEntryDto] }) data: ScopeCatalogEntryDto[];
}
