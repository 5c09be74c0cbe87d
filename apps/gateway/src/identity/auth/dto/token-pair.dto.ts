import { ApiProperty } from '@nestjs/swagger';

export class TokenPairDto {
  @ApiProperty({ description: 'JWT (HS256), valid 15 minutes', example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIuLi4ifQ.sig' })
  access_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 }) expires_in: number;
  @ApiProperty({ description: 'Single use: each refresh returns a new one', example: 'rt_Jm1yU2Q4b1hVZk1nN2lQbTNsR0x2c1pXd2N5b1Fz' })
  refresh_token: string;
  @ApiProperty({ example: 2592000 }) refresh_expires_in: number;
}

export class MeDto {
  @ApiProperty({ enum: ['account', 'api_key'] }) auth: 'account' | 'api_key';
  @ApiProperty({ format: 'uuid' }) account_id: string;
  @ApiProperty({ example: 'admin@mailplane.local' }) email: string;
  @ApiProperty({ enum: ['platform_admin', 'tenant_admin', 'domain_admin'] }) role: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty({ type: [String], example: ['*'] }) scopes: string[];
  @ApiProperty({ type: [String], nullable: true, example: null }) domain_allowlist: string[] | null;
  @ApiProperty({ format: 'uuid', nullable: true }) api_key_id: string | null;
  @ApiProperty({ description: 'Whether the account has two-factor authentication (TOTP) on; for an API key, its owning account', example: true })
  totp_enabled: boolean;
  @ApiProperty({ description: 'Unused recovery codes of the account; null when 2FA is off', type: Number, nullable: true, minimum: 0, example: 10 })
  recovery_codes_left: number | null;
}
