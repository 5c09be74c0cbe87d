import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { ListMetaDto, PageQueryDto } from '../pagination.js';
import { IsOptionalNotNull } from '../validators.js';
import { DEFAULT_DKIM_ALGORITHM, DEFAULT_DKIM_SELECTOR, DKIM_ALGORITHMS, MAX_SELECTOR_LENGTH, type DkimAlgorithm } from './dkim-selector.js';

export const DKIM_SORT_FIELDS = ['domain', 'selector', 'created_at'] as const;
export type DkimSortField = (typeof DKIM_SORT_FIELDS)[number];

const ALGORITHM_MESSAGE = `algorithm must be one of: ${DKIM_ALGORITHMS.join(', ')}`;
const SELECTOR_DOC = 'RFC 6376 selector: DNS labels of letters, digits and inner hyphens, dot-separated, at most 63 characters; stored lower-case';
const P_EXAMPLE =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxN/VXqZnWj/+jaBAxpLta0pUsBijkhystWnRHMhNYXSfGdzDlxf/RK3KIL68vY1WaXdK7H6lstR6naD7hBNFQ3Dyiag9wpp3md5jiMJ13U2Tt5UCtJiVvA+C91sX3WyooYU1jCSTsGzZRAlMuza113b+IuWbQ1Hj+witRvKgoKsGyetmWkFWZFkh66aSpB72kORMBO+KFOHY1qe3EGEDFo4sDaCRJZFw2b7dm9v+65AuC9uX0ZqzZ+i79ePd6nux0+brCntkJFF0daqDY2+0Ss6yG3nGjp27mwYJKRM7trNm4Oec7wKb8MBVMGURFYBcMr9G7ghVgyUrT6qrTNbyVQIDAQAB';
const VALUE_EXAMPLE = `v=DKIM1; k=rsa; p=${P_EXAMPLE}`;

export class DkimDnsRecordDto {
  @ApiProperty({ description: 'Owner name (ASCII/punycode, without trailing dot)', example: 's20261121._domainkey.example.com' }) name: string;
  @ApiProperty({ enum: ['TXT'], example: 'TXT' }) type: 'TXT';
  @ApiProperty({
    description: 'The whole TXT value. `p` is base64 SubjectPublicKeyInfo for RSA, the raw 32-byte public key for Ed25519 (RFC 8463)',
    example: VALUE_EXAMPLE,
  })
  value: string;
  @ApiProperty({
    type: [String],
    description: 'The value as TXT character-strings of at most 255 characters; joined without separators they equal `value`',
    example: [VALUE_EXAMPLE.slice(0, 255), VALUE_EXAMPLE.slice(255)],
  })
  strings: string[];
  @ApiProperty({
    description: 'BIND zone-file line with the quoted strings',
    example: `s20261121._domainkey.example.com. IN TXT ( "${VALUE_EXAMPLE.slice(0, 255)}" "${VALUE_EXAMPLE.slice(255)}" )`,
  })
  zone_line: string;
}

/** A DKIM key as the API shows it: never the private key. */
export class DkimKeyDto {
  @ApiProperty({ format: 'uuid', example: '5b0d6f7e-2c1a-4f3e-9d8c-7b6a5f4e3d2c' }) id: string;
  @ApiProperty({ format: 'uuid', example: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }) tenant_id: string;
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-8d4a-4c55-9f0e-2a7b1c3d4e5f' }) domain_id: string;
  @ApiProperty({ description: 'Domain name (ASCII/punycode)', example: 'example.com' }) domain: string;
  @ApiProperty({ description: 'Domain name in Unicode (equals `domain` unless it is an IDN)', example: 'example.com' }) domain_unicode: string;
  @ApiProperty({ description: SELECTOR_DOC, example: 's20261121' }) selector: string;
  @ApiProperty({ enum: DKIM_ALGORITHMS, example: 'rsa-2048' }) algorithm: DkimAlgorithm;
  @ApiProperty({
    description:
      'True for the key OpenDKIM signs this domain’s mail with: the oldest RSA key of an active domain of an active (not suspended) tenant whose effective `dkim_enabled` is true (a rotated-in key signs once the older ones are deleted). ' +
      'Older keys stay published until deleted. Ed25519 keys are published but never sign: OpenDKIM 2.11 signs every domain with one algorithm (rsa-sha256).',
    example: true,
  })
  signing: boolean;
  @ApiProperty({ type: DkimDnsRecordDto }) dns_record: DkimDnsRecordDto;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
}

export class DkimKeyListDto {
  @ApiProperty({ type: [DkimKeyDto] }) data: DkimKeyDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class ListDkimKeysQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the domain name or the selector', example: 'example' })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  search?: string;

  @ApiPropertyOptional({ enum: DKIM_SORT_FIELDS, default: 'domain' })
  @IsOptional()
  @IsIn(DKIM_SORT_FIELDS, { message: `sort must be one of: ${DKIM_SORT_FIELDS.join(', ')}` })
  sort?: DkimSortField;

  @ApiPropertyOptional({ description: 'Only this domain’s keys (UUID or name, IDN allowed)', example: 'example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  domain?: string;

  @ApiPropertyOptional({ enum: DKIM_ALGORITHMS, description: 'Only keys of this algorithm' })
  @IsOptional()
  @IsIn(DKIM_ALGORITHMS, { message: ALGORITHM_MESSAGE })
  algorithm?: DkimAlgorithm;
}

export class CreateDkimKeyDto {
  @ApiProperty({ description: 'Domain UUID or name (ASCII or Unicode IDN)', example: 'example.com' })
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  domain: string;

  @ApiPropertyOptional({ description: SELECTOR_DOC, default: DEFAULT_DKIM_SELECTOR, maxLength: MAX_SELECTOR_LENGTH, example: 'mail' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(1024)
  selector?: string;

  @ApiPropertyOptional({ enum: DKIM_ALGORITHMS, default: DEFAULT_DKIM_ALGORITHM, example: 'rsa-2048' })
  @IsOptionalNotNull()
  @IsIn(DKIM_ALGORITHMS, { message: ALGORITHM_MESSAGE })
  algorithm?: DkimAlgorithm;
}

export class RotateDkimKeyDto {
  @ApiPropertyOptional({ description: `${SELECTOR_DOC}. Default: \`s<YYYYMMDD>\` (UTC), with \`-2\`, \`-3\`, … appended when taken`, example: 's20261121' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(1024)
  selector?: string;

  @ApiPropertyOptional({
    enum: DKIM_ALGORITHMS,
    description: 'Default: the algorithm of the key being replaced (the signing key, else the newest), rsa-2048 when the domain has none',
    example: 'rsa-2048',
  })
  @IsOptionalNotNull()
  @IsIn(DKIM_ALGORITHMS, { message: ALGORITHM_MESSAGE })
  algorithm?: DkimAlgorithm;
}

export class DkimSelectorQueryDto {
  @ApiPropertyOptional({ description: 'Selector of the key; see the route for what happens without it', example: 's20261121' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  selector?: string;
}

/* RPC envelopes: what the gateway sends dkim-tls-service. */

export class ListDkimKeysRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ListDkimKeysQueryDto)
  query: ListDkimKeysQueryDto;
}

export class CreateDkimKeyRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CreateDkimKeyDto)
  body: CreateDkimKeyDto;
}

/** `domain` is a UUID or name; `selector` optional (its meaning depends on the call). */
export class DkimKeyRefRpc extends WithCaller {
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  domain: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  selector?: string;
}

export class RotateDkimKeyRpc extends WithCaller {
  @IsDefined()
  @IsString()
  @MaxLength(1024)
  domain: string;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => RotateDkimKeyDto)
  body: RotateDkimKeyDto;
}
