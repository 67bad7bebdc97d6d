import { InvalidUserIdError } from '../graph.errors';
import { parseUserId, parseUserIdList } from './user-id';

describe('parseUserId', () => {
  it.each([
    ['123', '123'],
    [123, '123'],
    ['9223372036854775807', '9223372036854775807'],
    ['007', '7'],
  ])('accepts %p as %p', (input, expected) => {
    expect(parseUserId(input, 'user_id')).toBe(expected);
  });

  it.each([0, -1, 1.5, '0', '-5', '1.5', '9223372036854775808', '12abc', '', ' ', null, undefined, {}, [], true, 2 ** 53 + 2])(
    'refuses %p naming the field',
    (input) => {
      expect(() => parseUserId(input, 'user_id')).toThrow(InvalidUserIdError);
      expect(() => parseUserId(input, 'user_id')).toThrow('user_id');
    },
  );

  it('parses comma lists keeping order, naming the bad position', () => {
    expect(parseUserIdList('3,1,2', 'ids')).toEqual(['3', '1', '2']);
    expect(parseUserIdList([5, '6'], 'ids')).toEqual(['5', '6']);
    expect(() => parseUserIdList('1,x', 'ids')).toThrow('ids[1]');
  });
});
