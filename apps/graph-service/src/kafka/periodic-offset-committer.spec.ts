import { PeriodicOffsetCommitter, TopicPartitionOffset } from './periodic-offset-committer';

describe('PeriodicOffsetCommitter', () => {
  let commits: TopicPartitionOffset[][];
  let fail: boolean;
  let committer: PeriodicOffsetCommitter;
  beforeEach(() => {
    commits = [];
    fail = false;
    committer = new PeriodicOffsetCommitter(async (offsets) => {
      if (fail) throw new Error('rebalance in progress');
      commits.push(offsets);
    }, 1000);
  });

  it('commits the next offset to read, the latest per partition, in one call', async () => {
    committer.mark('t', 0, '5');
    committer.mark('t', 0, '6');
    committer.mark('t', 1, '41');
    committer.mark('u', 0, '9007199254740993');
    await committer.flush();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '7' },
        { topic: 't', partition: 1, offset: '42' },
        { topic: 'u', partition: 0, offset: '9007199254740994' },
      ],
    ]);
  });

  it('commits only partitions that moved since the last commit, and nothing when none did', async () => {
    committer.mark('t', 0, '5');
    committer.mark('t', 1, '5');
    await committer.flush();
    await committer.flush();
    committer.mark('t', 1, '6');
    await committer.flush();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '6' },
        { topic: 't', partition: 1, offset: '6' },
      ],
      [{ topic: 't', partition: 1, offset: '7' }],
    ]);
  });

  it('keeps a failed commit for the next flush', async () => {
    committer.mark('t', 0, '5');
    fail = true;
    await committer.flush();
    fail = false;
    await committer.flush();
    expect(commits).toEqual([[{ topic: 't', partition: 0, offset: '6' }]]);
  });

  it('commits on its interval once started, and not after stop', async () => {
    jest.useFakeTimers();
    try {
      committer.start();
      committer.mark('t', 0, '1');
      await jest.advanceTimersByTimeAsync(1000);
      expect(commits).toHaveLength(1);
      committer.stop();
      committer.mark('t', 0, '2');
      await jest.advanceTimersByTimeAsync(5000);
      expect(commits).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
