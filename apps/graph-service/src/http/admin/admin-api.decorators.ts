import { UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators';
import { ErrorResponseDto } from '../graph/graph-write.dto';
import { AdminAuditInterceptor } from './admin-audit.interceptor';

export const ADMIN_PREFIX = 'api/v1/admin/graph';

/** What every admin controller shares: the admin role, the audit line, one Swagger tag. */
export const AdminApi = (): ClassDecorator =>
  applyDecorators(
    ApiTags('admin'),
    ApiBearerAuth(),
    RequireRole('admin'),
    UseInterceptors(AdminAuditInterceptor),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid or expired token (UNAUTHORIZED)' }),
    ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The token lacks the admin role (FORBIDDEN)' }),
  );
