import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ApiErrorCode, type ErrorBody } from '#contracts';

export class FieldErrorDto {
  @ApiProperty({ example: 'name' }) field: string;
  @ApiProperty({ example: 'name must be a valid domain name such as example.com (IDN allowed)' }) message: string;
}

export class ErrorResponseDto {
  @ApiProperty({ description: 'Short message', example: 'Validation failed' }) error: string;
  @ApiProperty({ description: 'Longer explanation', example: 'One or more fields are invalid.' }) detail: string;
  @ApiProperty({ enum: ApiErrorCode, example: ApiErrorCode.VALIDATION_FAILED }) code: ApiErrorCode;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Present on VALIDATION_FAILED' }) fields?: FieldErrorDto[];
  @ApiPropertyOptional({ description: 'Present on INTERNAL_ERROR; quote it when reporting' }) error_id?: string;
}

export class MessageResponseDto {
  @ApiProperty({ example: 'domain deleted' }) message: string;
}

export function errorExample(code: keyof typeof ApiErrorCode, error: string, detail: string): ErrorBody {
  return { error, detail, code: ApiErrorCode[code] };
}
