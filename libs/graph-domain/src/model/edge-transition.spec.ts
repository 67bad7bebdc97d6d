import { EDGE_TRANSITIONS, edgeTransition } from './edge-transition';
import { parseUserId } from './user-id';

const [a, b] = [parseUserId('1', 'a'), parseUserId('2', 'b')];
const none = { followers: 0, following: 0, pending: 0 };

describe('edgeTransition', () => {
  it('counts an accepted follow for both users and a request only as the target’s pending', () => {
    expect(edgeTransition({ followerId: a, followingId: b, from: 'none', to: 'accepted', isMutual: true })).toEqual({
      event: { type: 'follow', followerId: a, followingId: b, status: 'accepted', isMutual: true, options: { notify: false, reposts: true, languages: null } },
      follower: { ...none, following: 1 },
      following: { ...none, followers: 1 },
    });
    expect(edgeTransition({ followerId: a, followingId: b, from: 'pending', to: 'accepted' })).toEqual({
      event: { type: 'follow_request_accepted', followerId: a, followingId: b },
      follower: { ...none, following: 1 },
      following: { ...none, followers: 1, pending: -1 },
    });
  });

  it('puts the follower’s options in a follow event (the defaults when none are given)', () => {
    const options = { notify: true, reposts: false, languages: ['de', 'en'] };
    expect(edgeTransition({ followerId: a, followingId: b, from: 'rejected', to: 'pending', options }).event).toEqual({
      type: 'follow', followerId: a, followingId: b, status: 'pending', isMutual: false, options,
    });
  });

  it('gives a removal its reason and previous status; a rejected request leaves silently', () => {
    expect(edgeTransition({ followerId: a, followingId: b, from: 'pending', to: 'none', reason: 'cancelled' }).event).toEqual({
      type: 'unfollow', followerId: a, followingId: b, reason: 'cancelled', previousStatus: 'pending',
    });
    expect(edgeTransition({ followerId: a, followingId: b, from: 'rejected', to: 'none', reason: 'blocked' })).toEqual({
      event: null, follower: none, following: none,
    });
  });

  it('refuses moves the port never makes', () => {
    expect(() => edgeTransition({ followerId: a, followingId: b, from: 'accepted', to: 'accepted' })).toThrow();
    expect(() => edgeTransition({ followerId: a, followingId: b, from: 'accepted', to: 'pending' })).toThrow();
    expect(() => edgeTransition({ followerId: a, followingId: b, from: 'accepted', to: 'none' })).toThrow();
  });

  it('keeps every listed transition balanced: each side’s counters move by at most one', () => {
    for (const t of EDGE_TRANSITIONS) {
      const { follower, following } = edgeTransition({ followerId: a, followingId: b, ...t });
      for (const v of [...Object.values(follower), ...Object.values(following)]) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
  });
});
