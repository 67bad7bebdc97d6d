import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from '../graph.errors';
import { KeysetPosition } from './edge-list';
import { parseUserId } from './user-id';

const MEMO_SIZE = 10_000;

/**
 * Opaque page cursors: base64url of the keyset position plus an HMAC over it and the list it
 * belongs to, so a tampered cursor, or one taken from another list, is refused with INVALID_CURSOR
 * instead of silently paging somewhere else.
 */
export class CursorCodec {
  // A hot list hands out the same next_cursor to every reader until it changes: signing is a pure
  // function, so recent answers are remembered (bounded) instead of recomputing the HMAC.
  private readonly encoded = new Map<string, string>();

  constructor(private readonly secret: string) {}

  encode(position: KeysetPosition, listKey: string): string {
    const body = `${position.createdAtUs}.${position.userId}`;
    const memo = `${listKey}|${body}`;
    let cursor = this.encoded.get(memo);
    if (cursor === undefined) {
      cursor = `${Buffer.from(body).toString('base64url')}.${this.sign(body, listKey)}`;
      if (this.encoded.size >= MEMO_SIZE) this.encoded.delete(this.encoded.keys().next().value!);
      this.encoded.set(memo, cursor);
    }
    return cursor;
  }

  decode(cursor: string, listKey: string): KeysetPosition {
    const dot = cursor.indexOf('.');
    if (dot <= 0 || cursor.length > 200) throw new InvalidCursorError();
    const body = Buffer.from(cursor.slice(0, dot), 'base64url').toString();
    const given = Buffer.from(cursor.slice(dot + 1));
    const expected = Buffer.from(this.sign(body, listKey));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursorError();
    const [createdAtUs, userId] = body.split('.');
    if (!/^-?[0-9]{1,20}$/.test(createdAtUs ?? '')) throw new InvalidCursorError();
    try {
      return { createdAtUs: createdAtUs!, userId: parseUserId(userId, 'cursor') };
    } catch {
      throw new InvalidCursorError();
    }
  }

  private sign(body: string, listKey: string): string {
    return createHmac('sha256', this.secret).update(`${listKey}|${body}`).digest('base64url').slice(0, 22);
  }
}
