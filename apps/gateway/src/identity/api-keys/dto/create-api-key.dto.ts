import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ALL_SCOPES, IsDomainName, IsRfc3339DateTime } from '#contracts';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'billing integration' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ type: [String], enum: ALL_SCOPES, example: ['domains:write', 'mailboxes:read'] })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsIn(ALL_SCOPES, { each: true, message: 'each value in scopes must be a known scope (see GET /api/v1/api-keys/scopes)' })
  scopes: string[];

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    description:
      'Only these domains are visible to the key. Left out: the caller’s own list (a restricted key’s allow-list, a domain_admin’s delegated domains), else all; null = all (refused for a restricted caller)',
    example: ['example.com'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsDomainName({ each: true })
  domain_allowlist?: string[] | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, example: '2027-01-01T00:00:00Z', description: 'Default: never, or the minting key’s own expiry' })
  @IsOptional()
  @IsRfc3339DateTime()
  expires_at?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000,
    nullable: true,
    example: 600,
    description: 'Requests per minute for this key; default (null): the tenant’s limit, else RATE_LIMIT_PER_MIN',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rate_limit_per_min?: number | null;
  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    example: ['203.0.113.0/24', '2001:db8::/32'],
    description: 'CIDR blocks (network address; host bits set are refused) the key may be used from; null = anywhere (or the minting key’s own list)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  ip_allowlist?: string[] | null;
}
