import { UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators';
import { ApiSignedIn } from '../common/api-docs.decorators';
import { ErrorResponseDto } from '../errors/error-response.dto';
import { AdminAuditInterceptor } from './admin-audit.interceptor';

export const ADMIN_PREFIX = 'api/v1/admin/graph';

/** What every admin controller shares: the admin role, the audit line, one Swagger tag. */
export const AdminApi = (): ClassDecorator =>
  applyDecorators(
    ApiTags('admin'),
    ApiSignedIn('A malformed id, query or body (INVALID_USER_ID naming the field, VALIDATION_FAILED)'),
    RequireRole('admin'),
    UseInterceptors(AdminAuditInterceptor),
    ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The token lacks the admin role (FORBIDDEN)' }),
  );
