import { InvalidEdgeListError } from '@graph/domain';

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const ZERO = 48;
const NINE = 57;
const MAX_ID = Buffer.from('9223372036854775807');

export interface EdgeListCounts {
  /** Non-blank, non-comment lines. */
  lines: number;
  /** Lines sent on as edges (self-loops excluded). */
  edges: number;
  selfLoops: number;
  bytesRead: number;
}

/**
 * Turns an edge list ("A B" per line, space or tab separated, `#` comment lines, CRLF tolerated)
 * into COPY text rows ("A\tB\n"), byte by byte, with no string per line: a 10 M-line file is parsed
 * at memory speed. Ids are validated (1 … 2^63-1, leading zeros dropped) and self-loops skipped and
 * counted. The first bad line throws InvalidEdgeListError with its line number.
 */
export class EdgeListParser {
  readonly counts: EdgeListCounts = { lines: 0, edges: 0, selfLoops: 0, bytesRead: 0 };
  /** The error that stopped the parse, kept for whoever sees only the COPY fail. */
  failure: InvalidEdgeListError | null = null;
  private lineNo = 0;
  private carry: Buffer | null = null;

  async *rows(source: AsyncIterable<Buffer>, onChunk?: () => void): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.counts.bytesRead += chunk.length;
      const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      const lastNl = data.lastIndexOf(NL);
      if (lastNl < 0) {
        this.carry = data;
        continue;
      }
      this.carry = lastNl + 1 < data.length ? Buffer.from(data.subarray(lastNl + 1)) : null;
      const out = this.parse(data, lastNl + 1);
      onChunk?.();
      if (out.length > 0) yield out;
    }
    if (this.carry) {
      const tail = Buffer.concat([this.carry, Buffer.from([NL])]);
      this.carry = null;
      const out = this.parse(tail, tail.length);
      if (out.length > 0) yield out;
    }
  }

  /** Parses the complete lines in data[0, end) (end is just after a newline). */
  private parse(data: Buffer, end: number): Buffer {
    const out = Buffer.allocUnsafe(end + 1);
    let o = 0;
    let i = 0;
    while (i < end) {
      this.lineNo++;
      let p = i;
      while (p < end && (data[p] === SPACE || data[p] === TAB)) p++;
      const c = data[p];
      if (c === NL || c === CR || c === HASH) {
        i = data.indexOf(NL, p) + 1;
        continue;
      }
      this.counts.lines++;
      const aStart = p;
      while (p < end && data[p]! >= ZERO && data[p]! <= NINE) p++;
      const aEnd = p;
      if (aEnd === aStart || (data[p] !== SPACE && data[p] !== TAB)) this.fail(data, i);
      while (data[p] === SPACE || data[p] === TAB) p++;
      const bStart = p;
      while (p < end && data[p]! >= ZERO && data[p]! <= NINE) p++;
      const bEnd = p;
      if (bEnd === bStart) this.fail(data, i);
      while (data[p] === SPACE || data[p] === TAB || data[p] === CR) p++;
      if (data[p] !== NL) this.fail(data, i);
      i = p + 1;
      const a = this.id(data, aStart, aEnd, i);
      const b = this.id(data, bStart, bEnd, i);
      if (a[1] - a[0] === b[1] - b[0] && data.compare(data, b[0], b[1], a[0], a[1]) === 0) {
        this.counts.selfLoops++;
        continue;
      }
      o += data.copy(out, o, a[0], a[1]);
      out[o++] = TAB;
      o += data.copy(out, o, b[0], b[1]);
      out[o++] = NL;
      this.counts.edges++;
    }
    return out.subarray(0, o);
  }

  /** The digits of an id without leading zeros, checked to be 1 … 2^63-1. */
  private id(data: Buffer, start: number, end: number, lineEnd: number): [number, number] {
    while (start < end - 1 && data[start] === ZERO) start++;
    const len = end - start;
    if ((len === 1 && data[start] === ZERO) || len > 19 || (len === 19 && data.compare(MAX_ID, 0, 19, start, end) > 0)) {
      throw (this.failure = new InvalidEdgeListError(this.lineNo, `"${lineText(data, start, lineEnd)}" holds an id outside 1 … 9223372036854775807`));
    }
    return [start, end];
  }

  private fail(data: Buffer, lineStart: number): never {
    throw (this.failure = new InvalidEdgeListError(
      this.lineNo,
      `"${lineText(data, lineStart, data.indexOf(NL, lineStart))}" is not "follower following" (two user ids)`,
    ));
  }
}

function lineText(data: Buffer, start: number, end: number): string {
  const stop = end < 0 ? data.length : end;
  let lineStart = start;
  while (lineStart > 0 && data[lineStart - 1] !== NL) lineStart--;
  return data.toString('utf8', lineStart, Math.min(stop, lineStart + 80)).replace(/\r$/, '');
}
