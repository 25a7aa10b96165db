/** The targets table's verdicts (bench/stats.ts): a value that rounds to its target still shows which side it is on. */
import { verdict } from '../../bench/stats';

describe('verdict', () => {
  it('shows the figure at two decimals, and the digit that decides when it rounds to the target', () => {
    expect(verdict(1.21, 1.25, 'max')).toBe('1.21 ≤ 1.25 ✔');
    expect(verdict(1.2531, 1.25, 'max')).toBe('1.253 > 1.25 ✘');
    expect(verdict(1.2468, 1.25, 'max')).toBe('1.247 ≤ 1.25 ✔');
    expect(verdict(1.25, 1.25, 'max')).toBe('1.25 ≤ 1.25 ✔');
    expect(verdict(0.7996, 0.8, 'min')).toBe('0.7996 < 0.8 ✘');
    expect(verdict(1.3, 1.1, 'max')).toBe('1.30 > 1.1 ✘');
  });
});
