import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { DkimKeyDto } from '../dkim/dkim.dto.js';
import { ListMetaDto, PageQueryDto } from '../pagination.js';
import { IsDomainName, IsOptionalNotNull, IsOutgoingIp, ToBoolean } from '../validators.js';

export const DOMAIN_SORT_FIELDS = ['name', 'created_at', 'updated_at', 'active'] as const;
export type DomainSortField = (typeof DOMAIN_SORT_FIELDS)[number];

export class DomainDto {
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-8d4a-4c55-9f0e-2a7b1c3d4e5f' }) id: string;
  @ApiProperty({ format: 'uuid', example: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }) tenant_id: string;
  @ApiProperty({ description: 'Lower-case, IDN in punycode', example: 'xn--bcher-kva.example' }) name: string;
  @ApiProperty({ description: 'Unicode form of the name', example: 'bücher.example' }) name_unicode: string;
  @ApiProperty({ example: true }) active: boolean;
  @ApiProperty({ description: 'IPv4/IPv6 address mail leaves from, or "auto"', example: 'auto' }) outgoing_ip: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) updated_at: string;
}

/** POST /domains answers the domain, and its DKIM key when `dkim: true` asked for one. */
export class CreatedDomainDto extends DomainDto {
  @ApiPropertyOptional({ type: DkimKeyDto, description: 'Present when created with `dkim: true`: the new key and its DNS record' })
  dkim?: DkimKeyDto;
}

export class DomainListDto {
  @ApiProperty({ type: [DomainDto] }) data: DomainDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListDomainsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the domain name', example: 'example' })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  search?: string;

  @ApiPropertyOptional({ enum: DOMAIN_SORT_FIELDS, default: 'name' })
  @IsOptional()
  @IsIn(DOMAIN_SORT_FIELDS, { message: `sort must be one of: ${DOMAIN_SORT_FIELDS.join(', ')}` })
  sort?: DomainSortField;

  @ApiPropertyOptional({ type: Boolean, description: 'Only active (true) or inactive (false) domains' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'active must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this tenant’s domains (platform admins)' })
  @IsOptional()
  @IsUUID()
  tenant_id?: string;
}

export class CreateDomainDto {
  @ApiProperty({ description: 'DNS name; stored lower-case, IDN converted to punycode', example: 'example.com' })
  @IsDefined()
  @IsString()
  @IsDomainName()
  name: string;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ default: 'auto', example: '192.0.2.10' })
  @IsOptionalNotNull()
  @IsOutgoingIp()
  outgoing_ip?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Owner tenant (platform admins only; default: your tenant)' })
  @IsOptionalNotNull()
  @IsUUID()
  tenant_id?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Also generate a DKIM key (selector `default`, rsa-2048) and answer it as `dkim`, with the TXT record to publish; needs scope dkim:write too',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  dkim?: boolean;
}

export class UpdateDomainDto {
  @ApiPropertyOptional({ example: false })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ example: '2001:db8::25' })
  @IsOptionalNotNull()
  @IsOutgoingIp()
  outgoing_ip?: string;
}

export class DeleteDomainQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Also delete the domain’s mailboxes and aliases (otherwise 409 while any exist)' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'cascade must be true or false' })
  cascade?: boolean;
}

/* RPC envelopes: what the gateway sends domain-service. */

export class ListDomainsRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ListDomainsQueryDto)
  query: ListDomainsQueryDto;
}

export class CreateDomainRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CreateDomainDto)
  body: CreateDomainDto;
}

/** `ref` is a UUID or a domain name. */
export class DomainRefRpc extends WithCaller {
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  ref: string;
}

export class UpdateDomainRpc extends DomainRefRpc {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateDomainDto)
  body: UpdateDomainDto;
}
