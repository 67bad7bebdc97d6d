import { Server, Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of Redis that counts the commands a client sends (top-level RESP arrays,
 * by name), not the commands its scripts run inside Redis (INFO commandstats counts those too), and
 * the client's writes: commands pipelined together arrive in one write, one round trip.
 */
export class RedisCommandCounter {
  readonly commands = new Map<string, number>();
  /** Chunks received from clients: one per pipelined batch on loopback (a batch over 64 KB would split). */
  writes = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port: number, target: { host: string; port: number }): Promise<RedisCommandCounter> {
    const server = createServer();
    const counter = new RedisCommandCounter(server, port);
    server.on('connection', (client) => counter.relay(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return counter;
  }

  total(): number {
    let n = 0;
    for (const v of this.commands.values()) n += v;
    return n;
  }

  snapshot(): Map<string, number> {
    return new Map(this.commands);
  }

  private relay(client: Socket, target: { host: string; port: number }): void {
    const upstream = connect(target);
    this.sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      this.writes++;
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const parsed = this.parseCommand(pending);
        if (!parsed) break;
        this.commands.set(parsed.name, (this.commands.get(parsed.name) ?? 0) + 1);
        pending = pending.subarray(parsed.length);
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

  /** One complete `*N\r\n($len\r\n<bytes>\r\n){N}` at the start of `buf`, or null if incomplete. */
  private parseCommand(buf: Buffer): { name: string; length: number } | null {
    if (buf.length === 0 || buf[0] !== 0x2a) return null;
    let at = buf.indexOf('\r\n');
    if (at < 0) return null;
    const n = Number(buf.subarray(1, at).toString());
    let pos = at + 2;
    let name = '';
    for (let i = 0; i < n; i++) {
      at = buf.indexOf('\r\n', pos);
      if (at < 0) return null;
      const len = Number(buf.subarray(pos + 1, at).toString());
      const start = at + 2;
      if (buf.length < start + len + 2) return null;
      if (i === 0) name = buf.subarray(start, start + len).toString().toLowerCase();
      pos = start + len + 2;
    }
    return { name, length: pos };
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
