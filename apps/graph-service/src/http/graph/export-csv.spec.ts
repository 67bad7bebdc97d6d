import { UserId } from '@graph/domain';
import { ExportedRow } from '@graph/application';
import { csvChunks } from './export-csv';

async function file(list: 'following' | 'followers' | 'blocks' | 'mutes', pages: ExportedRow[][]): Promise<string> {
  async function* source() {
    yield* pages;
  }
  let out = '';
  for await (const chunk of csvChunks(list, source())) out += chunk;
  return out;
}

const u = (n: number) => String(n) as UserId;

describe('export CSV (Mastodon layouts, ids for addresses)', () => {
  it('following: header, boosts, notify, languages quoted when there are several', async () => {
    expect(
      await file('following', [
        [
          { list: 'following', userId: u(7), options: { notify: true, reposts: false, languages: ['en', 'fr'] } },
          { list: 'following', userId: u(8), options: { notify: false, reposts: true, languages: ['de'] } },
        ],
        [{ list: 'following', userId: u(9), options: { notify: false, reposts: true, languages: null } }],
      ]),
    ).toBe('Account address,Show boosts,Notify on new posts,Languages\r\n7,false,true,"en, fr"\r\n8,true,false,de\r\n9,true,false,\r\n');
  });

  it('mutes: header and hide notifications; blocks and followers: one id a line, no header; empty lists', async () => {
    expect(await file('mutes', [[{ list: 'mutes', userId: u(5), notifications: false }]])).toBe('Account address,Hide notifications\r\n5,false\r\n');
    expect(await file('blocks', [[{ list: 'blocks', userId: u(4) }, { list: 'blocks', userId: u(3) }]])).toBe('4\r\n3\r\n');
    expect(await file('followers', [[]])).toBe('');
    expect(await file('following', [[]])).toBe('Account address,Show boosts,Notify on new posts,Languages\r\n');
  });
});
