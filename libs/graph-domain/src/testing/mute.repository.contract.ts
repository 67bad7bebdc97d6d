import { MuteEvent, MuteSettings } from '../model/mute';
import { UserId } from '../model/user-id';
import { MuteRepository } from '../ports/mute.repository';

/** What a contract test may look at behind the port. */
export interface MuteInspector {
  /** Events emitted since the subject was created whose muter is `muterId`, in order. */
  events(muterId: UserId): Promise<MuteEvent[]>;
  /** Whether a row (active or expired) is stored for the pair. */
  stored(muterId: UserId, mutedId: UserId): Promise<boolean>;
}

export interface MuteContractSetup {
  create(): Promise<{ repo: MuteRepository; inspect: MuteInspector }>;
  newUserId(): UserId;
}

const forever: MuteSettings = { notifications: true, scope: 'all', expiresAt: null };
const inAnHour = (): Date => new Date(Date.now() + 3600_000);
const aSecondAgo = (): Date => new Date(Date.now() - 1000);

/**
 * The behaviour every MuteRepository must have (ports/mute.repository.ts). Run against the in-memory
 * fake and the Postgres adapter so the fake stays honest.
 */
export function describeMuteRepositoryContract(name: string, setup: MuteContractSetup): void {
  describe(`${name} honours the MuteRepository contract`, () => {
    let repo: MuteRepository;
    let inspect: MuteInspector;
    let a: UserId;
    let b: UserId;
    let c: UserId;

    beforeEach(async () => {
      ({ repo, inspect } = await setup.create());
      [a, b, c] = [setup.newUserId(), setup.newUserId(), setup.newUserId()];
    });

    it('mutes with the settings given and emits one mute event', async () => {
      const expiresAt = inAnHour();
      await expect(repo.mute(a, b, { notifications: false, scope: 'reposts', expiresAt })).resolves.toEqual({ changed: true });
      const [m] = await repo.getMutes(a, [b]);
      expect(m).toMatchObject({ mutedId: b, notifications: false, scope: 'reposts' });
      expect(m!.expiresAt!.getTime()).toBe(expiresAt.getTime());
      expect(await inspect.events(a)).toEqual([{ type: 'mute', muterId: a, mutedId: b, notifications: false, scope: 'reposts', expiresAt }]);
    });

    it('a repeat with the same settings changes nothing and emits nothing', async () => {
      await repo.mute(a, b, forever);
      await expect(repo.mute(a, b, forever)).resolves.toEqual({ changed: false });
      expect(await inspect.events(a)).toHaveLength(1);
    });

    it('a repeat with other settings replaces them and keeps the mute where it was in the list', async () => {
      await repo.mute(a, b, forever);
      await repo.mute(a, c, forever);
      const before = await repo.listMutes(a, { limit: 10, after: null });
      await expect(repo.mute(a, b, { notifications: false, scope: 'all', expiresAt: null })).resolves.toEqual({ changed: true });
      const after = await repo.listMutes(a, { limit: 10, after: null });
      expect(after.items.map((m) => m.mutedId)).toEqual(before.items.map((m) => m.mutedId));
      expect(after.items.find((m) => m.mutedId === b)).toMatchObject({ notifications: false, createdAtUs: before.items.find((m) => m.mutedId === b)!.createdAtUs });
      expect((await inspect.events(a)).map((e) => e.type)).toEqual(['mute', 'mute', 'mute']);
    });

    it('is one-way and private to the muter', async () => {
      await repo.mute(a, b, forever);
      await expect(repo.getMutes(b, [a])).resolves.toEqual([null]);
      await expect(repo.listMutes(b, { limit: 10, after: null })).resolves.toEqual({ items: [], next: null });
    });

    it('answers getMutes in the order asked, repeats included, null where there is no mute', async () => {
      await repo.mute(a, c, forever);
      const got = await repo.getMutes(a, [b, c, b, c]);
      expect(got.map((m) => m?.mutedId ?? null)).toEqual([null, c, null, c]);
      await expect(repo.getMutes(a, [])).resolves.toEqual([]);
    });

    it('unmutes once: a repeat changes nothing', async () => {
      await repo.mute(a, b, forever);
      await expect(repo.unmute(a, b)).resolves.toEqual({ changed: true });
      await expect(repo.unmute(a, b)).resolves.toEqual({ changed: false });
      await expect(repo.getMutes(a, [b])).resolves.toEqual([null]);
      expect((await inspect.events(a)).slice(1)).toEqual([{ type: 'unmute', muterId: a, mutedId: b, reason: 'unmute' }]);
    });

    it('an expired mute reads as no mute at once, everywhere', async () => {
      await repo.mute(a, b, { ...forever, expiresAt: aSecondAgo() });
      await expect(repo.getMutes(a, [b])).resolves.toEqual([null]);
      await expect(repo.listMutes(a, { limit: 10, after: null })).resolves.toEqual({ items: [], next: null });
      expect(await inspect.stored(a, b)).toBe(true);
    });

    it('muting again after expiry is a new mute, after an expired event for the old one; unmuting an expired one deletes it as expired', async () => {
      await repo.mute(a, b, { ...forever, expiresAt: aSecondAgo() });
      await expect(repo.mute(a, b, { ...forever, expiresAt: aSecondAgo() })).resolves.toEqual({ changed: true });
      await expect(repo.unmute(a, b)).resolves.toEqual({ changed: false });
      expect(await inspect.stored(a, b)).toBe(false);
      // Each expired mute ends in exactly one expired event: the first when it was replaced, the second when unmuted.
      expect((await inspect.events(a)).map((e) => e.type === 'unmute' && e.reason)).toEqual([false, 'expired', false, 'expired']);
      await repo.mute(a, b, { ...forever, expiresAt: aSecondAgo() });
      await expect(repo.mute(a, b, forever)).resolves.toEqual({ changed: true });
      await expect(repo.getMutes(a, [b])).resolves.toEqual([expect.objectContaining({ mutedId: b, expiresAt: null })]);
    });

    it('sweeps expired mutes with an expired event each, leaving active ones', async () => {
      await repo.mute(a, b, { ...forever, expiresAt: aSecondAgo() });
      await repo.mute(a, c, { ...forever, expiresAt: inAnHour() });
      let swept = 0;
      const muters = new Set<UserId>();
      for (let n = -1; n !== 0; swept += n) {
        const removed = await repo.sweepExpired(1000);
        n = removed.count;
        removed.muterIds.forEach((m) => muters.add(m));
      }
      expect(swept).toBeGreaterThanOrEqual(1);
      expect(muters.has(a)).toBe(true);
      expect(await inspect.stored(a, b)).toBe(false);
      expect(await inspect.stored(a, c)).toBe(true);
      expect((await inspect.events(a)).slice(2)).toEqual([{ type: 'unmute', muterId: a, mutedId: b, reason: 'expired' }]);
      await expect(repo.sweepExpired(1000)).resolves.toEqual({ count: 0, muterIds: [] });
    });

    it('erases every mute made by or of the user, with an erased event for each active one', async () => {
      await repo.mute(a, b, forever);
      await repo.mute(c, a, forever);
      await repo.mute(a, c, { ...forever, expiresAt: aSecondAgo() });
      await repo.mute(b, c, forever);
      const erased = await repo.eraseUser(a);
      expect(erased.count).toBe(3);
      expect([...erased.muterIds].sort()).toEqual([a, c].sort());
      await expect(repo.eraseUser(a)).resolves.toEqual({ count: 0, muterIds: [] });
      expect(await inspect.stored(a, c)).toBe(false);
      await expect(repo.getMutes(c, [a])).resolves.toEqual([null]);
      await expect(repo.getMutes(b, [c])).resolves.toEqual([expect.objectContaining({ mutedId: c })]);
      expect((await inspect.events(a)).slice(2)).toEqual([{ type: 'unmute', muterId: a, mutedId: b, reason: 'erased' }]);
      expect((await inspect.events(c)).slice(1)).toEqual([{ type: 'unmute', muterId: c, mutedId: a, reason: 'erased' }]);
    });

    it('lists active mutes newest first in keyset pages that lose and repeat nothing', async () => {
      const muted = Array.from({ length: 7 }, () => setup.newUserId());
      for (const id of muted) await repo.mute(a, id, forever);
      await repo.mute(a, c, { ...forever, expiresAt: aSecondAgo() });
      const seen: UserId[] = [];
      let page = await repo.listMutes(a, { limit: 3, after: null });
      for (;;) {
        seen.push(...page.items.map((m) => m.mutedId));
        if (!page.next) break;
        page = await repo.listMutes(a, { limit: 3, after: page.next });
      }
      expect(seen).toEqual([...muted].reverse());
    });
  });
}
