import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';

export class PutOidcConfigDto {
  @ApiProperty({ example: true }) @IsBoolean() enabled: boolean;
  @ApiProperty({ example: 'https://login.example.com/realms/main', description: 'The issuer; its /.well-known/openid-configuration is discovered' })
  @IsUrl({ require_tld: false, protocols: ['https', 'http'], require_protocol: true })
  @MaxLength(2048)
  issuer: string;
  @ApiProperty({ example: 'mailplane' }) @IsString() @MaxLength(512) client_id: string;
  @ApiPropertyOptional({ description: 'Stored sealed; never returned. Omit to keep the stored one.', example: 'secret' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  client_secret?: string;
  @ApiProperty({ example: 'https://mail-api.example.com/api/v1/auth/oidc/callback', description: 'Must be registered at the provider' })
  @IsUrl({ require_tld: false, protocols: ['https', 'http'], require_protocol: true })
  @MaxLength(2048)
  redirect_uri: string;
  @ApiProperty({ type: [String], example: ['example.com'], description: 'Email domains whose verified addresses may be linked to existing accounts' })
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(253, { each: true })
  allowed_domains: string[];
}

export class OidcConfigDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty() issuer: string;
  @ApiProperty() client_id: string;
  @ApiProperty({ description: 'Whether a client secret is stored (it is never returned)' }) client_secret_set: boolean;
  @ApiProperty() redirect_uri: string;
  @ApiProperty({ type: [String] }) allowed_domains: string[];
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class OidcLoginQueryDto {
  @ApiPropertyOptional({ description: 'false: answer {authorization_url} as JSON instead of a 302', example: 'false' })
  @IsOptional()
  @IsString()
  redirect?: string;
}

export class OidcCallbackQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4096) code?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) state?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) iss?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) error?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2048) error_description?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(512) session_state?: string;
}
