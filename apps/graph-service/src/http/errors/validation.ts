import { ArgumentMetadata, ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
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

/** Keys class-transformer never copies onto the DTO, so forbidNonWhitelisted cannot see them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first own `__proto__`/`constructor`/`prototype` key in `value`, walked without recursion. */
function prototypeKeyPath(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    for (const key of Object.keys(current)) {
      const field = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return field;
      stack.push([(current as Record<string, unknown>)[key], field]);
    }
  }
  return null;
}

/** ValidationPipe that also refuses prototype keys (`{"__proto__": …}`) as unknown fields. */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const field = prototypeKeyPath(value);
      if (field !== null) throw new ValidationError(`property ${field} should not exist`, field);
    }
    return super.transform(value, metadata);
  }
}

/** Global DTO validation: unknown fields are refused, errors become VALIDATION_FAILED naming the field. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const { field, message } = describe(errors);
      return new ValidationError(message, field);
    },
  });
}
