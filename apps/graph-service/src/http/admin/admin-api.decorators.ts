import { UseInterceptors, applyDecorators } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators';
import { ApiSignedIn } from '../common/api-docs.decorators';
import { AdminAuditInterceptor } from './admin-audit.interceptor';

export const ADMIN_PREFIX = 'api/v1/admin/graph';

/** What every admin controller shares: the admin role, the audit line, one Swagger tag. */
export const AdminApi = (): ClassDecorator =>
  applyDecorators(
    ApiTags('admin'),
    ApiSignedIn('FORBIDDEN'),
    RequireRole('admin'),
    UseInterceptors(AdminAuditInterceptor),
  );
