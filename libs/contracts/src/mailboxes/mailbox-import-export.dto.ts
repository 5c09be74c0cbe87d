import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { WithCaller } from '../caller-context.js';
import { IsOptionalNotNull, ToBoolean } from '../validators.js';

/** The CSV columns export writes and import reads, in this order. */
export const MAILBOX_CSV_COLUMNS = ['address', 'name', 'password', 'quota_bytes', 'active'] as const;
/** Columns import also accepts instead of `address`. */
export const MAILBOX_CSV_ALT_COLUMNS = ['username', 'domain'] as const;
export const MAILBOX_IMPORT_MAX_ROWS = 10_000;
/** Largest CSV text accepted (the HTTP body limit is 1 MiB anyway). */
export const MAILBOX_IMPORT_MAX_CSV_CHARS = 1_048_576;
/**
 * Rows mailbox-service answers per export page (the gateway streams page after page). A worst-case
 * row (254-octet address, 255-character name of escaped control characters) is under 1.9 KB of JSON,
 * so a page stays below NATS's default 1 MB max_payload.
 */
export const MAILBOX_EXPORT_MAX_PAGE = 500;

/**
 * One row to import. Types are checked per row (a wrong one is a verdict, not a 400), so every
 * field is accepted as sent; unknown fields are a 400.
 */
export class MailboxImportRowDto {
  @ApiPropertyOptional({ description: 'Full address (or give username + domain)', example: 'alice@example.com' })
  @Allow()
  address?: unknown;

  @ApiPropertyOptional({ description: 'Local part, or a full address whose domain must be `domain`', example: 'alice' })
  @Allow()
  username?: unknown;

  @ApiPropertyOptional({ description: 'Domain name (with username)', example: 'example.com' })
  @Allow()
  domain?: unknown;

  @ApiPropertyOptional({ description: 'Display name', example: 'Alice Example' })
  @Allow()
  name?: unknown;

  @ApiPropertyOptional({ description: 'Checked against the password policy; never returned', example: 'Tr0ub4dor&3-horse', writeOnly: true })
  @Allow()
  password?: unknown;

  @ApiPropertyOptional({ description: 'Bytes; blank or null = inherit', example: 5368709120, oneOf: [{ type: 'integer' }, { type: 'string' }] })
  @Allow()
  quota_bytes?: unknown;

  @ApiPropertyOptional({ description: 'true/false (also 1/0, yes/no); blank = true', example: true, oneOf: [{ type: 'boolean' }, { type: 'string' }] })
  @Allow()
  active?: unknown;
}

export class MailboxImportPreviewDto {
  @ApiPropertyOptional({
    description: `CSV text with a header row: ${MAILBOX_CSV_COLUMNS.join(',')} (or username,domain instead of address); at most ${MAILBOX_IMPORT_MAX_ROWS} rows. Give csv or rows.`,
    example: 'address,name,password,quota_bytes,active\nalice@example.com,Alice,Tr0ub4dor&3-horse,5368709120,true\n',
  })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(MAILBOX_IMPORT_MAX_CSV_CHARS)
  csv?: string;

  @ApiPropertyOptional({ type: [MailboxImportRowDto], description: `The rows as JSON objects (at most ${MAILBOX_IMPORT_MAX_ROWS}). Give csv or rows.` })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAILBOX_IMPORT_MAX_ROWS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => MailboxImportRowDto)
  rows?: MailboxImportRowDto[];
}

export class MailboxImportVerdictDto {
  @ApiProperty({ description: '1-based data row (the CSV header is not counted)', example: 1 }) row: number;
  @ApiPropertyOptional({ description: 'The normalised address, when the row names one', example: 'alice@example.com' }) address?: string;
  @ApiProperty({ example: false }) ok: boolean;
  @ApiPropertyOptional({
    type: [String],
    description: 'Why the row would be refused (only when ok is false)',
    example: ['address: alice@example.com is already used by a mailbox'],
  })
  reasons?: string[];
}

export class MailboxImportSummaryDto {
  @ApiProperty({ example: 2 }) total: number;
  @ApiProperty({ example: 1 }) ok: number;
  @ApiProperty({ example: 1 }) failed: number;
}

export class MailboxImportPreviewResultDto {
  @ApiProperty({
    type: [MailboxImportVerdictDto],
    example: [
      { row: 1, address: 'bob@example.com', ok: true },
      { row: 2, address: 'alice@example.com', ok: false, reasons: ['address: alice@example.com is already used by a mailbox'] },
    ],
  })
  rows: MailboxImportVerdictDto[];
  @ApiProperty({ type: MailboxImportSummaryDto }) summary: MailboxImportSummaryDto;
}

export class ExportMailboxesQueryDto {
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

/** One exported mailbox (the password column is always blank). */
export interface MailboxExportRow {
  address: string;
  name: string;
  quota_bytes: number | null;
  active: boolean;
}

export interface MailboxExportPage {
  rows: MailboxExportRow[];
  /** Pass as `after` for the next page; null when this was the last one. */
  next: string | null;
}

/**
 * The preview result as mailbox-service sends it: gzip-compressed JSON in base64. 10,000 failing
 * rows with several reasons each are megabytes of repetitive text, above NATS's default 1 MB
 * max_payload; compressed they are a few hundred KB. The gateway unpacks it.
 */
export interface MailboxImportPreviewReply {
  gzip_base64: string;
}

/* RPC envelopes. */

export class MailboxImportPreviewRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MailboxImportPreviewDto)
  body: MailboxImportPreviewDto;
}

/** Keyset pages in address order: `after` is the last address of the previous page. */
export class MailboxExportPageRpc extends WithCaller {
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ExportMailboxesQueryDto)
  query: ExportMailboxesQueryDto;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  after?: string;

  @IsDefined()
  @IsInt()
  @Min(1)
  @Max(MAILBOX_EXPORT_MAX_PAGE)
  limit: number;
}
