/**
 * The floor of the request-reply benchmark: the same round trip with nothing of ours in it. A raw
 * kafkajs server (its own process, as the service is) answers every message on bench.echo.req with
 * the same bytes on bench.echo.reply; `EchoClient` sends requests and matches replies by an id
 * header. No Nest, no handler work, no database: what two kafkajs hops cost on this machine.
 * Run as a child process: `node -r @swc-node/register bench/lib/kafka-echo.ts <brokers>`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Consumer, Kafka, Partitioners, Producer, logLevel } from 'kafkajs';
import { ensureTopics } from '@graph/client';
import { runLoad } from './load';
import { serviceNodeFlags } from './node-flags';

const REQUESTS = 'bench.echo.req';
const REPLIES = 'bench.echo.reply';

function kafka(brokers: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

/** The echo server's main: consume requests from their end, answer each at once, no commits. */
async function serve(brokers: string): Promise<void> {
  const producer = kafka(brokers, 'bench-echo-server').producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer = kafka(brokers, 'bench-echo-server').consumer({ groupId: `bench-echo-${process.pid}`, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: REQUESTS, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ message }) => {
      void producer.send({ topic: REPLIES, messages: [{ value: message.value, headers: { id: message.headers!.id! } }] }).catch(() => undefined);
    },
  });
  process.stdout.write('ready\n');
}

/** Starts the echo server as a child process and resolves once it consumes. */
async function startEchoServer(brokers: string): Promise<ChildProcess> {
  const admin = kafka(brokers, 'bench-echo-admin').admin();
  await admin.connect();
  await ensureTopics(admin, [REQUESTS, REPLIES]).finally(() => admin.disconnect());
  const child = spawn(process.execPath, [...serviceNodeFlags(), '-r', '@swc-node/register', __filename, brokers], { cwd: join(__dirname, '../..'), stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('echo server not ready in 60 s')), 60000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
  });
  return child;
}

/** Sends echo requests and resolves each when its reply comes back. */
class EchoClient {
  private readonly pending = new Map<string, () => void>();
  private next = 0;

  private constructor(
    private readonly producer: Producer,
    private readonly consumer: Consumer,
  ) {}

  static async connect(brokers: string): Promise<EchoClient> {
    const k = kafka(brokers, 'bench-echo-client');
    const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const consumer = k.consumer({ groupId: `bench-echo-client-${process.pid}-${Date.now()}`, maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: REPLIES, fromBeginning: false });
    const client = new EchoClient(producer, consumer);
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const id = message.headers?.id?.toString() ?? '';
        client.pending.get(id)?.();
        client.pending.delete(id);
      },
    });
    return client;
  }

  call(value: string, timeoutMs = 5000): Promise<void> {
    const id = String(this.next++);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('no echo within timeout'));
      }, timeoutMs);
      this.pending.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      this.producer.send({ topic: REQUESTS, messages: [{ key: id, value, headers: { id } }] }).catch(reject);
    });
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }
}

/** A request of the bench's size (a relationships call for 20 users). */
const ECHO_PAYLOAD = JSON.stringify({ viewer_id: '1000001', user_ids: Array.from({ length: 20 }, (_, i) => String(1_000_002 + i)) });

/**
 * The echo server and a client, answering and warmed up; `call` sends one request of the bench's
 * size. Stop with `stop()`.
 */
export async function startEchoFloor(brokers: string): Promise<{ server: ChildProcess; call: () => Promise<void>; stop: () => Promise<void> }> {
  const server = await startEchoServer(brokers);
  const echo = await EchoClient.connect(brokers);
  const stop = async () => {
    await echo.close();
    server.kill('SIGTERM');
  };
  try {
    // The reply consumer starts at the end of its topic once its first fetch resolves: retry until answered.
    for (let answered = false; !answered; ) answered = await echo.call(ECHO_PAYLOAD, 1000).then(() => true, () => false);
    await runLoad({ name: 'echo warm-up', concurrency: 8, operations: 400 }, () => echo.call(ECHO_PAYLOAD));
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, call: () => echo.call(ECHO_PAYLOAD), stop };
}

if (require.main === module) {
  serve(process.argv[2] ?? '127.0.0.1:9092').catch((error: unknown) => {
    process.stderr.write(`echo server failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
