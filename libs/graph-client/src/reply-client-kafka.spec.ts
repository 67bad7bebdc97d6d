import type { ConsumerGroupJoinEvent, TopicPartitions } from 'kafkajs';
import { ReplyClientKafka, idleReplyPartitions } from './reply-client-kafka';

/** A consumer that records pause and resume calls, folded into the set of paused partitions. */
class FakeConsumer {
  readonly paused = new Map<string, Set<number>>();
  pause(topics: TopicPartitions[]): void {
    for (const t of topics) {
      const set = this.paused.get(t.topic) ?? new Set<number>();
      for (const p of t.partitions) set.add(p);
      this.paused.set(t.topic, set);
    }
  }
  resume(topics: { topic: string }[]): void {
    for (const t of topics) this.paused.delete(t.topic);
  }
  pausedOf(topic: string): number[] {
    return [...(this.paused.get(topic) ?? [])].sort();
  }
}

function join(memberAssignment: Record<string, number[]>): ConsumerGroupJoinEvent {
  return { payload: { memberAssignment } } as unknown as ConsumerGroupJoinEvent;
}

describe('ReplyClientKafka', () => {
  let consumer: FakeConsumer;
  let client: ReplyClientKafka;
  const setAssignments = (data: ConsumerGroupJoinEvent) =>
    (client as unknown as { setConsumerAssignments(d: ConsumerGroupJoinEvent): void }).setConsumerAssignments(data);

  beforeEach(() => {
    consumer = new FakeConsumer();
    client = new ReplyClientKafka({ client: { brokers: ['localhost:9092'] }, consumer: { groupId: 'test' } });
    (client as unknown as { _consumer: FakeConsumer })._consumer = consumer;
  });

  it('fetches only the lowest assigned partition of each reply topic, the one replies are sent to', () => {
    setAssignments(join({ 'a.reply': [2, 0, 1], 'b.reply': [1] }));
    expect(client.getConsumerAssignments()).toEqual({ 'a.reply': 0, 'b.reply': 1 });
    expect(consumer.pausedOf('a.reply')).toEqual([1, 2]);
    expect(consumer.pausedOf('b.reply')).toEqual([]);
  });

  it('after a rebalance, resumes the partition that became the reply partition and pauses the rest', () => {
    setAssignments(join({ 'a.reply': [0, 1, 2] }));
    setAssignments(join({ 'a.reply': [1, 2] }));
    expect(client.getConsumerAssignments()).toEqual({ 'a.reply': 1 });
    expect(consumer.pausedOf('a.reply')).toEqual([2]);
  });

  it('idleReplyPartitions leaves topics with a single partition out', () => {
    expect(idleReplyPartitions({ x: [3], y: [5, 4] })).toEqual([{ topic: 'y', partitions: [5] }]);
  });
});
