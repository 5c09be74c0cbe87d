import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ALL_SCOPES, IsDomainName, IsRfc3339DateTime } from '#contracts';

/** PATCH: only the fields sent change; null clears a list (anywhere / every domain) or the expiry. */
export class UpdateApiKeyDto {
  @ApiPropertyOptional({ example: 'billing integration (prod)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    type: [String],
    enum: ALL_SCOPES,
    example: ['domains:read'],
    description: 'Keys minted by this key must stay within these scopes (409 otherwise)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsIn(ALL_SCOPES, { each: true, message: 'each value in scopes must be a known scope (see GET /api/v1/api-keys/scopes)' })
  scopes?: string[];

  @ApiPropertyOptional({ type: [String], nullable: true, example: ['example.com'], description: 'null = every domain of the tenant' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsDomainName({ each: true })
  domain_allowlist?: string[] | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, example: '2027-01-01T00:00:00Z', description: 'null = never (or the caller key’s own expiry)' })
  @IsOptional()
  @IsRfc3339DateTime()
  expires_at?: string | null;

  @ApiPropertyOptional({ type: [String], nullable: true, example: ['10.0.0.0/8'], description: 'CIDR blocks (host bits set are refused); null = anywhere' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  ip_allowlist?: string[] | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000,
    nullable: true,
    example: 600,
    description: 'Requests per minute for this key; null = the tenant’s limit, else RATE_LIMIT_PER_MIN. Never above the caller’s own limit',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rate_limit_per_min?: number | null;
}
