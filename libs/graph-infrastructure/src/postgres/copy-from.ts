import { DataSource, QueryRunner } from 'typeorm';

/** The parts of pg's connection that COPY FROM STDIN uses (pg has no public API for it). */
interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

interface PgClient {
  query(submittable: object): unknown;
}

/**
 * A pg "submittable" running one `COPY ... FROM STDIN`: the client hands it the connection and
 * routes the server's messages to it, as pg-copy-streams does, without adding that dependency.
 */
class CopyFromStdin {
  private rowCount = 0;
  private failed: Error | null = null;
  private settled = false;

  constructor(
    private readonly text: string,
    private readonly source: Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
    private readonly resolve: (rows: number) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  submit(connection: PgConnection): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: PgConnection): void {
    void this.pump(connection);
  }

  private async pump(connection: PgConnection): Promise<void> {
    try {
      for await (const chunk of this.source) {
        if (this.failed) return;
        connection.sendCopyFromChunk(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        // Respect the socket's backpressure so a large import does not buffer in memory.
        if (connection.stream.writableNeedDrain) await new Promise((r) => connection.stream.once('drain', r));
      }
      connection.endCopyFrom();
    } catch (error) {
      connection.sendCopyFail(`source failed: ${(error as Error).message}`);
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(message.text ?? '');
    if (match) this.rowCount = Number(match[1]);
  }

  handleError(error: Error): void {
    this.failed = error;
    // pg forgets the active query on an error, so no ReadyForQuery reaches us afterwards.
    this.finish();
  }

  handleReadyForQuery(): void {
    this.finish();
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.failed) this.reject(this.failed);
    else this.resolve(this.rowCount);
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/**
 * Streams text rows into `COPY <table> (...) FROM STDIN` (text format: tab-separated columns, one
 * row per line). Runs on the given query runner (so it can join its transaction) or on a connection
 * of its own. Resolves with the number of rows copied.
 */
export async function copyFromStdin(
  db: DataSource | QueryRunner,
  copySql: string,
  source: Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
): Promise<number> {
  const runner = db instanceof DataSource ? db.createQueryRunner() : db;
  try {
    const client = (await runner.connect()) as PgClient;
    return await new Promise<number>((resolve, reject) => {
      client.query(new CopyFromStdin(copySql, source, resolve, reject));
    });
  } finally {
    if (db instanceof DataSource) await runner.release();
  }
}
