import { median, quantile, summarize } from '../../src/bench/stats';

describe('bench statistics', () => {
  it('takes the median as the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('takes quantiles by nearest rank', () => {
    const samples = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(quantile(samples, 0.9)).toBe(18);
    expect(quantile(samples, 1)).toBe(20);
    expect(quantile(samples, 0)).toBe(1);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('summarises to 0.1 ms without reordering the caller’s samples', () => {
    const samples = [10.04, 30.06, 20.05];
    expect(summarize(samples)).toEqual({ runs: 3, median: 20.1, p90: 30.1, min: 10, max: 30.1 });
    expect(samples).toEqual([10.04, 30.06, 20.05]);
  });
});
