import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { ListMetaDto, PageQueryDto, ROLES, type Role } from '#contracts';
import { IsOptionalNotNull } from '#contracts';

const DELEGATION_DOC =
  'domain_admin only: the domains (names or ids, of the account’s tenant) it manages. Every route then sees only these domains; ' +
  'it cannot create or delete domains. Must be empty or absent for other roles.';
const PASSWORD_DOC = 'At least 12 characters mixing 3 of: lower-case, upper-case, digits, other characters. Never returned.';

const IP_ALLOWLIST_DOC =
  'CIDR blocks (network address; host bits set are refused) the account — its logins, tokens and keys — may be used from; null = anywhere. A caller whose key is IP-restricted can only set a list inside its own.';

export class AccountDto {
  @ApiProperty({ format: 'uuid', example: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5' }) id: string;
  @ApiProperty({ example: 'ops@example.com' }) email: string;
  @ApiProperty({ enum: ROLES, example: 'domain_admin' }) role: Role;
  @ApiProperty({ format: 'uuid', example: '0b6f1d3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b' }) tenant_id: string;
  @ApiProperty({ description: 'false = the account can neither log in nor use its keys', example: true }) active: boolean;
  @ApiProperty({ type: [String], description: 'Delegated domain names (domain_admin; empty for other roles)', example: ['example.com'] })
  delegated_domains: string[];
  @ApiProperty({ type: [String], nullable: true, description: IP_ALLOWLIST_DOC, example: null }) ip_allowlist: string[] | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) last_login_at: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' }) updated_at: string;
}

export class AccountListDto {
  @ApiProperty({ type: [AccountDto] }) data: AccountDto[];
  @ApiProperty({ type: ListMetaDto }) meta: ListMetaDto;
}

export class CreateAccountDto {
  @ApiProperty({ example: 'ops@example.com', description: 'Stored lower-case; unique across the platform' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Correct-Horse-42', description: PASSWORD_DOC })
  @IsString()
  @MaxLength(256)
  password: string;

  @ApiProperty({ enum: ROLES, description: 'platform_admin: only by platform admins, only in the platform tenant', example: 'domain_admin' })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role: Role;

  @ApiPropertyOptional({ description: 'Tenant UUID or name. Platform admins may choose (default: their own); tenant admins: their own only.', example: 'acme' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;

  @ApiPropertyOptional({ type: [String], description: DELEGATION_DOC, example: ['example.com'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  delegated_domains?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: [String], nullable: true, description: IP_ALLOWLIST_DOC, example: ['192.0.2.0/24'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ip_allowlist?: string[] | null;
}

export class UpdateAccountDto {
  @ApiPropertyOptional({ example: 'ops@example.com' })
  @IsOptionalNotNull()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ description: `${PASSWORD_DOC} Setting it revokes the account’s refresh tokens.`, example: 'Correct-Horse-43' })
  @IsOptionalNotNull()
  @IsString()
  @MaxLength(256)
  password?: string;

  @ApiPropertyOptional({ enum: ROLES, example: 'tenant_admin' })
  @IsOptionalNotNull()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({ type: [String], description: `${DELEGATION_DOC} Replaces the whole list.`, example: ['example.com'] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  delegated_domains?: string[];

  @ApiPropertyOptional({ description: 'false revokes the account’s refresh tokens and API keys at once', example: true })
  @IsOptionalNotNull()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ type: [String], nullable: true, description: IP_ALLOWLIST_DOC, example: ['192.0.2.0/24'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  ip_allowlist?: string[] | null;
}

export const ACCOUNT_SORT_FIELDS = ['email', 'role', 'created_at'] as const;

export class ListAccountsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive substring of the email', example: 'ops' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  search?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({ description: 'Tenant UUID (platform admins; others see only their own tenant)', format: 'uuid' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant_id?: string;

  @ApiPropertyOptional({ enum: ACCOUNT_SORT_FIELDS, default: 'email' })
  @IsOptional()
  @IsIn(ACCOUNT_SORT_FIELDS, { message: `sort must be one of ${ACCOUNT_SORT_FIELDS.join(', ')}` })
  sort?: (typeof ACCOUNT_SORT_FIELDS)[number];
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'Correct-Horse-42' })
  @IsString()
  @MaxLength(256)
  current_password: string;

  @ApiProperty({ example: 'Battery-Staple-43', description: PASSWORD_DOC })
  @IsString()
  @MaxLength(256)
  new_password: string;
}

export class LogoutDto {
  @ApiProperty({ example: 'rt_3q2…' })
  @IsString()
  @MaxLength(512)
  refresh_token: string;
}
