import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiParam, ApiResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto';

/** On a controller: signed-in routes (bearer token; 401 UNAUTHORIZED) and, when given, what their 400 means. */
export function ApiSignedIn(badRequest?: string): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid or expired token (UNAUTHORIZED)' }),
    ...(badRequest ? [ApiBadRequestResponse({ type: ErrorResponseDto, description: badRequest })] : []),
  );
}

/** An error answer of a route, in the one error shape. */
export function ApiErrorResponse(status: number, description: string): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, type: ErrorResponseDto, description });
}

/** A user-id path parameter (see UserIdPipe). */
export function ApiUserIdParam(name = 'userId', description = 'User id: a positive 64-bit integer as a decimal string'): MethodDecorator {
  return ApiParam({ name, type: String, description, example: '42' });
}
