import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** The error shape of every failure (HttpErrorFilter), for the Swagger document. */
@ApiSchema({ name: 'ErrorDetail' })
class ErrorDetailDto {
  @ApiProperty({ example: 'INVALID_USER_ID', description: 'Stable error code (each response lists its own)' })
  code!: string;

  @ApiProperty({ example: 'userId must be a user id: a positive 64-bit integer given as a decimal string or JSON integer', description: 'For people; may change' })
  message!: string;

  @ApiProperty({ example: '9f1c1f0e-3c1e-4d4b-a1e8-0a7f4f3b7c11', description: 'The X-Request-Id of the call (also in the logs)' })
  request_id!: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { field: 'userId' }, description: 'Extra facts, e.g. the offending field' })
  details?: Record<string, unknown>;
}

/** The one error-response DTO: `{"error": {"code", "message", "request_id"}}`. */
@ApiSchema({ name: 'ErrorResponse' })
export class ErrorResponseDto {
  @ApiProperty({ type: ErrorDetailDto })
  error!: ErrorDetailDto;
}
