import { KafkaLogThrottle } from './kafka-log-throttle';

describe('KafkaLogThrottle', () => {
  const refused = 'kafka Connection: Connection error: connect ECONNREFUSED 127.0.0.1:9';
  const pool = 'kafka BrokerPool: Failed to connect to seed broker, trying another broker from the list: connect ECONNREFUSED 127.0.0.1:9';

  function run(): { lines: string[]; at: (ms: number, message: string) => void } {
    const lines: string[] = [];
    let now = 0;
    const throttle = new KafkaLogThrottle((_, m) => lines.push(m), () => now);
    return {
      lines,
      at: (ms, message) => {
        now = ms;
        throttle.log('error', message);
      },
    };
  }

  it("lets a broker's connection failures through about once per doubling window, saying how many were held", () => {
    const r = run();
    // kafkajs' own retries: every 100-2000 ms, two lines per attempt, for 30 s.
    for (let t = 0; t < 30_000; t += 250) {
      r.at(t, refused);
      r.at(t, pool);
    }
    // 240 lines offered; let through at 0, ~1 s, ~3 s, ~7 s, ~15 s (then the 16 s window ends at 31 s).
    expect(r.lines).toHaveLength(5);
    expect(r.lines[0]).toBe(refused);
    expect(r.lines[1]).toMatch(/\(\d+ more like it held back\)$/);
  });

  it('never holds back a different line, and starts over after a quiet minute', () => {
    const r = run();
    r.at(0, refused);
    r.at(10, 'kafka Consumer: Consumer has joined the group');
    r.at(20, refused);
    r.at(120_000, refused);
    expect(r.lines).toEqual([refused, 'kafka Consumer: Consumer has joined the group', refused]);
  });
});
