import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin@mailplane.local' })
  @IsDefined()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', format: 'password' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ example: 'rt_Jm1yU2Q4b1hVZk1nN2lQbTNsR0x2c1pXd2N5b1Fz' })
  @IsDefined()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  refresh_token: string;
}
