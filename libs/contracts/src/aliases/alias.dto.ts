import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { ListMetaDto, PageQueryDto } from '../pagination.js';
import { IsOptionalNotNull, ToBoolean } from '../validators.js';

export const ALIAS_SORT_FIELDS = ['source', 'created_at', 'updated_at'] as const;
export type AliasSortField = (typeof ALIAS_SORT_FIELDS)[number];
export const MAX_ALIAS_DESTINATIONS = 1000;

export class AliasDto {
  @ApiProperty({ format: 'uuid', example: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' }) id: string;
  @ApiProperty({ format: 'uuid', example: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }) tenant_id: string;
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-8d4a-4c55-9f0e-2a7b1c3d4e5f' }) domain_id: string;
  @ApiProperty({ description: 'Domain name (punycode)', example: 'example.com' }) domain: string;
  @ApiProperty({ description: 'Lower-case address, or `@domain` for a catch-all', example: 'sales@example.com' }) source: string;
  @ApiProperty({ description: 'True when the source is `@domain`', example: false }) catch_all: boolean;
  @ApiProperty({ type: [String], description: 'Where mail goes (local or remote addresses)', example: ['alice@example.com', 'bob@partner.example'] })
  destinations: string[];
  @ApiProperty({ example: true }) active: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) updated_at: string;
}

export class AliasListDto {
  @ApiProperty({ type: [AliasDto] }) data: AliasDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListAliasesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the source', example: 'sales' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  search?: string;

  @ApiPropertyOptional({ enum: ALIAS_SORT_FIELDS, default: 'source' })
  @IsOptional()
  @IsIn(ALIAS_SORT_FIELDS, { message: `sort must be one of: ${ALIAS_SORT_FIELDS.join(', ')}` })
  sort?: AliasSortField;

  @ApiPropertyOptional({ type: Boolean, description: 'Only active (true) or inactive (false) aliases' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ description: 'Only this domain’s aliases (UUID or name)', example: 'example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  domain?: string;
}

export class CreateAliasDto {
  @ApiProperty({ description: 'Address in one of your domains, or `@domain` for a catch-all. Stored lower-case.', example: 'sales@example.com' })
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  source: string;

  @ApiProperty({ type: [String], minItems: 1, maxItems: MAX_ALIAS_DESTINATIONS, example: ['alice@example.com', 'bob@partner.example'] })
  @IsDefined()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALIAS_DESTINATIONS)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  destinations: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

export class UpdateAliasDto {
  @ApiPropertyOptional({ type: [String], description: 'Replaces the destinations', example: ['carol@example.com'] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALIAS_DESTINATIONS)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  destinations?: string[];

  @ApiPropertyOptional({ example: false })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;
}

/* RPC envelopes: what the gateway sends mailbox-service. */

export class ListAliasesRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ListAliasesQueryDto)
  query: ListAliasesQueryDto;
}

export class CreateAliasRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CreateAliasDto)
  body: CreateAliasDto;
}

/** `ref` is a UUID or a source (`user@domain` or `@domain`). */
export class AliasRefRpc extends WithCaller {
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  ref: string;
}

export class UpdateAliasRpc extends AliasRefRpc {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateAliasDto)
  body: UpdateAliasDto;
}
