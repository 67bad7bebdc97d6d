import { MetricsRegistry } from '@graph/infrastructure';
import { KafkaConsumerProgress } from './kafka-consumer-progress';

describe('KafkaConsumerProgress', () => {
  let now = 0;
  const progress = () => new KafkaConsumerProgress(new MetricsRegistry({ defaultMetrics: false }), 30, () => now);

  beforeEach(() => (now = 1_000_000));

  it('is ok while idle, however long nothing arrives', () => {
    const p = progress();
    now += 3_600_000;
    expect(p.health()).toEqual({ status: 'ok', stalled_seconds: 0 });
  });

  it('counts from the first message taken up that has not got anywhere, and calls it stalled at the threshold', () => {
    const p = progress();
    p.started();
    now += 10_000;
    p.started(); // a redelivery does not restart the count
    now += 19_900;
    expect(p.health()).toEqual({ status: 'ok', stalled_seconds: 29.9 });
    now += 80;
    // 29.98 s: not stalled yet, and not shown as 30 either.
    expect(p.health()).toEqual({ status: 'ok', stalled_seconds: 29.9 });
    now += 20;
    expect(p.health()).toEqual({ status: 'stalled', stalled_seconds: 30 });
  });

  it('recovers at the first event applied or reply sent', () => {
    const p = progress();
    p.started();
    now += 45_000;
    expect(p.health().status).toBe('stalled');
    p.succeeded();
    expect(p.health()).toEqual({ status: 'ok', stalled_seconds: 0 });
  });

  it('exports the same count as graph_kafka_consumer_stalled_seconds', async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    const p = new KafkaConsumerProgress(metrics, 30, () => now);
    p.started();
    now += 12_500;
    expect((await metrics.render()).body).toMatch(/^graph_kafka_consumer_stalled_seconds 12\.5$/m);
  });
});
