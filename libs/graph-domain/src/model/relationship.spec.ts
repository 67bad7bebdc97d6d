import { describeRelationship } from './relationship';
import { parseUserId } from './user-id';

const none = { following: false, followedBy: false, requested: false, requestedBy: false, blocking: false, blockedBy: false };
const id = parseUserId('2', 'id');

describe('describeRelationship', () => {
  it.each([
    [{}, 'none'],
    [{ following: true }, 'following'],
    [{ followedBy: true }, 'followed_by'],
    [{ following: true, followedBy: true }, 'mutual'],
    [{ requested: true }, 'requested'],
    [{ requested: true, followedBy: true }, 'requested'],
    [{ blocking: true }, 'blocked'],
    [{ blockedBy: true, following: true }, 'blocked'],
  ])('%p is %p', (flags, expected) => {
    const r = describeRelationship(id, { ...none, ...flags });
    expect(r.relationship).toBe(expected);
    expect(r.mutual).toBe(r.following && r.followedBy);
  });
});
