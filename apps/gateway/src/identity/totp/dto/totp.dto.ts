import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class TotpSetupDto {
  @ApiProperty({ description: 'Base32 secret, for typing into an authenticator by hand', example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' })
  secret: string;
  @ApiProperty({ example: 'otpauth://totp/Mailplane:admin%40mailplane.local?secret=JBSWY3DPEHPK3PXP&issuer=Mailplane&algorithm=SHA1&digits=6&period=30' })
  otpauth_url: string;
  @ApiProperty({ description: 'The otpauth URL as a QR code (PNG data URL)', example: 'data:image/png;base64,iVBORw0KGgo...' })
  qr_code: string;
}

export class TotpCodeDto {
  @ApiProperty({ description: 'The current 6-digit code of the authenticator', example: '123456' })
  @IsDefined()
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code: string;
}

export class TotpRecoveryCodesDto {
  @ApiProperty({ description: 'Ten single-use recovery codes. Shown only now; store them safely.', type: [String], example: ['K7QXM-2PZ9D', 'R4TNB-HW8JC'] })
  recovery_codes: string[];
  @ApiProperty({ format: 'date-time' }) enabled_at: string;
}

export class TotpDisableDto {
  @ApiPropertyOptional({ description: 'A current code or an unused recovery code', example: '123456' })
  @IsOptional()
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code?: string;

  @ApiPropertyOptional({ description: 'The account password (instead of a code)', format: 'password' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password?: string;
}

export class TotpStatusDto {
  @ApiProperty({ example: false }) totp_enabled: boolean;
}

export class MfaRequiredDto {
  @ApiProperty({ enum: [true], example: true }) mfa_required: true;
  @ApiProperty({ description: 'Single use, valid 5 minutes: send it with a code to POST /auth/login/2fa', example: 'mfa_Jm1yU2Q4b1hVZk1nN2lQbTNsR0x2c1pX' })
  mfa_token: string;
  @ApiProperty({ description: 'Seconds until the mfa_token expires', example: 300 }) expires_in: number;
}

export class LoginSecondStepDto {
  @ApiProperty({ example: 'mfa_Jm1yU2Q4b1hVZk1nN2lQbTNsR0x2c1pX' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  mfa_token: string;

  @ApiProperty({ description: 'The current 6-digit code, or an unused recovery code (then spent)', example: '123456' })
  @IsDefined()
  @IsString()
  @MinLength(6)
  @MaxLength(32)
  code: string;
}
