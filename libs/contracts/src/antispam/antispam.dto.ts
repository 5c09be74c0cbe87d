import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { ListMetaDto, PageQueryDto } from '../pagination.js';
import { IsOptionalNotNull } from '../validators.js';
import { ANTISPAM_ENTRY_TYPES, ANTISPAM_LISTS, type AntispamEntryType, type AntispamList } from './antispam-entry.js';

export const ANTISPAM_SORT_FIELDS = ['value', 'entry_type', 'created_at'] as const;
export type AntispamSortField = (typeof ANTISPAM_SORT_FIELDS)[number];

export class AntispamEntryDto {
  @ApiProperty({ format: 'uuid', example: '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' }) id: string;
  @ApiProperty({ enum: ANTISPAM_LISTS, example: 'blacklist' }) list: AntispamList;
  @ApiProperty({ enum: ANTISPAM_ENTRY_TYPES, example: 'cidr' }) entry_type: AntispamEntryType;
  @ApiProperty({ description: 'Canonical form (IPv6 compressed, network address, punycode, lower-case domain)', example: '198.51.100.0/24' }) value: string;
  @ApiProperty({ example: 'snowshoe spam range' }) comment: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The domain whose list holds it; null for the platform lists', example: null })
  domain_id: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
}

export class AntispamEntryListDto {
  @ApiProperty({ type: [AntispamEntryDto] }) data: AntispamEntryDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListAntispamEntriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the value', example: '198.51.100' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  search?: string;

  @ApiPropertyOptional({ enum: ANTISPAM_SORT_FIELDS, default: 'created_at' })
  @IsOptional()
  @IsIn(ANTISPAM_SORT_FIELDS, { message: `sort must be one of: ${ANTISPAM_SORT_FIELDS.join(', ')}` })
  sort?: AntispamSortField;

  @ApiPropertyOptional({ enum: ANTISPAM_ENTRY_TYPES, description: 'Only entries of this type' })
  @IsOptional()
  @IsIn(ANTISPAM_ENTRY_TYPES, { message: `entry_type must be one of: ${ANTISPAM_ENTRY_TYPES.join(', ')}` })
  entry_type?: AntispamEntryType;
}

export class CreateAntispamEntryDto {
  @ApiProperty({ enum: ANTISPAM_ENTRY_TYPES, example: 'cidr' })
  @IsDefined()
  @IsIn(ANTISPAM_ENTRY_TYPES, { message: `entry_type must be one of: ${ANTISPAM_ENTRY_TYPES.join(', ')}` })
  entry_type: AntispamEntryType;

  @ApiProperty({
    description: 'ip: IPv4/IPv6 address; cidr: network/prefix with no host bits set; domain: DNS name (IDN allowed); email: RFC 5321 address',
    example: '198.51.100.0/24',
  })
  @IsDefined()
  @IsString()
  @MaxLength(320)
  value: string;

  @ApiPropertyOptional({ maxLength: 500, default: '', example: 'snowshoe spam range' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(500)
  comment?: string;
}

/* RPC envelopes. */

class WithCallerAndList extends WithCaller {
  @IsDefined()
  @IsIn(ANTISPAM_LISTS)
  list: AntispamList;

  /** A domain's own list (UUID or name, as the caller sees it); absent = the platform list. */
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  domain?: string;
}

export class ListAntispamEntriesRpc extends WithCallerAndList {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ListAntispamEntriesQueryDto)
  query: ListAntispamEntriesQueryDto;
}

export class CreateAntispamEntryRpc extends WithCallerAndList {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CreateAntispamEntryDto)
  body: CreateAntispamEntryDto;
}

export class AntispamEntryRefRpc extends WithCallerAndList {
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  id: string;
}
