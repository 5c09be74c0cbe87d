import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsDomainName, ToBoolean } from '#contracts';

export class OidcLoginQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: true, description: 'false: answer `{authorization_url}` as JSON instead of a 302 to the identity provider' })
  @IsOptional()
  @ToBoolean()
  @IsBoolean({ message: 'redirect must be true or false' })
  redirect?: boolean;
}

export class OidcAuthorizationUrlDto {
  @ApiProperty({ example: 'https://idp.example.com/authorize?client_id=mailplane&response_type=code&...' })
  authorization_url: string;
}

export class OidcCallbackQueryDto {
  // Everything the IdP sends back is passed to the token exchange as it came (code, state, iss,
  // or error/error_description); only code and state are named here for the documentation.
  @ApiPropertyOptional({ description: 'The authorization code' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  code?: string;

  @ApiPropertyOptional({ description: 'The state this login started with' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  state?: string;

  @ApiPropertyOptional({ description: 'The issuer (RFC 9207), checked against the configured one' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  iss?: string;

  @ApiPropertyOptional({ description: 'An error from the identity provider (e.g. access_denied)' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  error?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  error_description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  error_uri?: string;

  @ApiPropertyOptional({ description: 'Sent by some providers; ignored' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  session_state?: string;
}

export class PutOidcConfigDto {
  @ApiProperty({ description: 'Issuer URL (https; http only on a loopback address)', example: 'https://login.example.com/realms/mail' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  issuer: string;

  @ApiProperty({ example: 'mailplane' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  client_id: string;

  @ApiPropertyOptional({ description: 'Required the first time; omitted = keep the stored one. Never returned.', format: 'password' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  client_secret?: string;

  @ApiProperty({ description: 'This gateway’s callback as registered at the IdP', example: 'https://mail.example.com/api/v1/auth/oidc/callback' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  redirect_uri: string;

  @ApiProperty({ type: [String], description: 'Email domains whose verified addresses may be linked to existing accounts', example: ['example.com'] })
  @IsDefined()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsDomainName({ each: true })
  allowed_domains: string[];

  @ApiProperty({ example: true })
  @IsDefined()
  @IsBoolean()
  enabled: boolean;
}

export class OidcConfigDto {
  @ApiProperty({ nullable: true, type: String }) issuer: string | null;
  @ApiProperty({ nullable: true, type: String }) client_id: string | null;
  @ApiProperty({ description: 'Whether a client secret is stored (the secret itself is never returned)' }) client_secret_set: boolean;
  @ApiProperty({ nullable: true, type: String }) redirect_uri: string | null;
  @ApiProperty({ type: [String] }) allowed_domains: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updated_at: string | null;
}
