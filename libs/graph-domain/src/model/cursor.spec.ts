import { InvalidCursorError } from '../graph.errors';
import { CursorCodec } from './cursor';
import { parseUserId } from './user-id';

describe('CursorCodec', () => {
  const codec = new CursorCodec('secret');
  const position = { createdAtUs: '1732400000123456', userId: parseUserId('42', 'id') };

  it('round-trips a position for the same list', () => {
    const cursor = codec.encode(position, 'followers:1');
    expect(codec.decode(cursor, 'followers:1')).toEqual(position);
  });

  it('refuses a cursor from another list', () => {
    const cursor = codec.encode(position, 'followers:1');
    expect(() => codec.decode(cursor, 'followers:2')).toThrow(InvalidCursorError);
  });

  it('refuses any tampering', () => {
    const cursor = codec.encode(position, 'followers:1');
    const body = Buffer.from('1732400000123456.43').toString('base64url');
    for (const bad of [cursor.slice(0, -1) + (cursor.endsWith('A') ? 'B' : 'A'), `${body}${cursor.slice(cursor.indexOf('.'))}`, 'garbage', '', '.']) {
      expect(() => codec.decode(bad, 'followers:1')).toThrow(InvalidCursorError);
    }
  });
});
