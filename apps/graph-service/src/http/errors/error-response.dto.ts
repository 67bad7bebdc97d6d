import { ApiProperty } from '@nestjs/swagger';

/** The error shape of every failure (HttpErrorFilter), for the Swagger document. */
class ErrorDetailDto {
  @ApiProperty({ example: 'INVALID_USER_ID', description: 'Stable error code' })
  code!: string;

  @ApiProperty({ example: 'userId must be a user id: a positive 64-bit integer given as a decimal string or JSON integer' })
  message!: string;

  @ApiProperty({ example: '9f1c1f0e-3c1e-4d4b-a1e8-0a7f4f3b7c11' })
  request_id!: string;

  @ApiProperty({ required: false, example: { field: 'userId' }, description: 'Extra facts, e.g. the offending field' })
  details?: Record<string, unknown>;
}

/** The one error-response DTO: `{"error": {"code", "message", "request_id"}}`. */
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}
