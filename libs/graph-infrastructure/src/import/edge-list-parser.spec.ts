import { InvalidEdgeListError } from '@graph/domain';
import { EdgeListParser } from './edge-list-parser';

async function parse(text: string | Buffer, chunkSize = 1 << 16): Promise<{ rows: string; parser: EdgeListParser }> {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const parser = new EdgeListParser();
  const out: Buffer[] = [];
  for await (const b of parser.rows(chunks())) out.push(b);
  return { rows: Buffer.concat(out).toString(), parser };
}

async function failure(text: string): Promise<InvalidEdgeListError> {
  try {
    await parse(text);
  } catch (error) {
    return error as InvalidEdgeListError;
  }
  throw new Error('expected the parse to fail');
}

describe('EdgeListParser', () => {
  it('reads space- and tab-separated pairs, skips comments and blank lines, tolerates CRLF and a missing final newline', async () => {
    const { rows, parser } = await parse('# FromNodeId\tToNodeId\n1 2\n  3\t\t4  \r\n\n# x\n5 6');
    expect(rows).toBe('1\t2\n3\t4\n5\t6\n');
    expect(parser.counts).toMatchObject({ lines: 3, edges: 3, selfLoops: 0 });
  });

  it('skips and counts self-loops, also written with leading zeros', async () => {
    const { rows, parser } = await parse('7 7\n007 7\n8 9\n');
    expect(rows).toBe('8\t9\n');
    expect(parser.counts).toMatchObject({ lines: 3, edges: 1, selfLoops: 2 });
  });

  it('gives the same rows whatever the chunk boundaries', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `${i + 1} ${i + 1000}`).join('\n') + '\n';
    const whole = await parse(text);
    for (const size of [1, 3, 7, 64]) expect((await parse(text, size)).rows).toBe(whole.rows);
  });

  it('accepts the largest id and refuses 0 and anything above 2^63-1', async () => {
    expect((await parse('9223372036854775807 1\n')).rows).toBe('9223372036854775807\t1\n');
    expect((await failure('1 2\n9223372036854775808 1\n')).details).toEqual({ line: 2 });
    expect((await failure('0 1\n')).details).toEqual({ line: 1 });
    expect((await failure('1 00000000000000000000\n')).details).toEqual({ line: 1 });
  });

  it.each([
    ['a word', '1 2\n3 x\n', 2],
    ['one id only', '# c\n1 2\n5\n', 3],
    ['three ids', '1 2 3\n', 1],
    ['a negative id', '1 2\n\n-1 2\n', 3],
    ['a comma', '1,2\n', 1],
  ])('reports %s with its line number (comments and blank lines counted)', async (_, text, line) => {
    const error = await failure(text);
    expect(error).toBeInstanceOf(InvalidEdgeListError);
    expect(error.code).toBe('INVALID_EDGE_LIST');
    expect(error.details).toEqual({ line });
    expect(error.message).toContain(`line ${line}`);
  });
});
