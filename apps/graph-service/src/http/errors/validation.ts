import { ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { ValidationError } from '@graph/domain';

/** First failing constraint, named by its field path (e.g. "action must be one of: accept, reject"). */
function describe(errors: ClassValidatorError[], prefix = ''): { field: string; message: string } {
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const message = Object.values(e.constraints)[0] ?? `${field} is invalid`;
      return { field, message };
    }
    if (e.children?.length) return describe(e.children, field);
  }
  return { field: prefix || 'body', message: 'invalid request' };
}

/** Global DTO validation: unknown fields are refused, errors become VALIDATION_FAILED naming the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const { field, message } = describe(errors);
      return new ValidationError(message, field);
    },
  });
}
