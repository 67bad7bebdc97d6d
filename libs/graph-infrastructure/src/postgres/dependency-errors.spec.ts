import { UnavailableError, ValidationError } from '@graph/domain';
import { translateDriverError, translatingSqlRunner } from './dependency-errors';

describe('translateDriverError', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['pool gone', new Error('Connection terminated unexpectedly')],
    ['serialization failure (TypeORM wraps the driver error)', Object.assign(new Error('could not serialize'), { driverError: { code: '40001' } })],
    ['statement timeout', Object.assign(new Error('canceling statement'), { code: '57014' })],
  ])('turns %s into UnavailableError, keeping the cause', (_, error) => {
    const translated = translateDriverError(error);
    expect(translated).toBeInstanceOf(UnavailableError);
    expect((translated as Error).cause).toBe(error);
  });

  it('leaves domain errors and other failures unchanged', () => {
    const domain = new ValidationError('bad');
    const bug = Object.assign(new Error('syntax error'), { code: '42601' });
    expect(translateDriverError(domain)).toBe(domain);
    expect(translateDriverError(bug)).toBe(bug);
  });

  it('is applied by translatingSqlRunner', async () => {
    const runner = translatingSqlRunner({ query: () => Promise.reject(Object.assign(new Error('down'), { code: 'ECONNRESET' })) });
    await expect(runner.query('SELECT 1')).rejects.toBeInstanceOf(UnavailableError);
  });
});
