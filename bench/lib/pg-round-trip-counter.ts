import { Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that counts the client's round trips: every Sync (extended
 * protocol: one per statement the driver sends) and every simple Query message is one wait for the
 * server. Point a service's DATABASE_URL at it to see how many round trips a call costs.
 */
export class PgRoundTripCounter {
  roundTrips = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port: number, target: { host: string; port: number }): Promise<PgRoundTripCounter> {
    const server = createServer();
    const counter = new PgRoundTripCounter(server, port);
    server.on('connection', (client) => counter.relay(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return counter;
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target);
    this.sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let startup = true;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (startup) {
          // Startup (or SSL request): int32 length, no type byte.
          if (pending.length < 4) break;
          const length = pending.readInt32BE(0);
          if (pending.length < length) break;
          const code = pending.readInt32BE(4);
          pending = pending.subarray(length);
          if (code !== 80877103) startup = false; // an SSL request is followed by the real startup
          continue;
        }
        if (pending.length < 5) break;
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) break;
        const type = String.fromCharCode(pending[0]!);
        if (type === 'S' || type === 'Q') this.roundTrips++;
        pending = pending.subarray(1 + length);
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
