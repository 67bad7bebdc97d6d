import { lagOf } from './consumer-lag.monitor';

describe('lagOf', () => {
  it('sums what each partition has beyond its committed offset, from the start when never committed', () => {
    const ends = [
      { partition: 0, low: '0', high: '10' },
      { partition: 1, low: '5', high: '8' },
      { partition: 2, low: '0', high: '4' },
    ];
    expect(lagOf([{ partition: 0, offset: '7' }, { partition: 1, offset: '-1' }, { partition: 2, offset: '4' }], ends)).toBe(3 + 3 + 0);
    expect(lagOf([], ends)).toBe(10 + 3 + 4);
  });
});
