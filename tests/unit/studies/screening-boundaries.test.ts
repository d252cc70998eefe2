// BT.500 screening at its boundaries: the outlier ratio 0.05 (strictly above rejects), the asymmetry 0.3 (strictly
// below rejects), β2 = 2 and 4 (normal, inclusive), and a vote exactly on a limit (counted).
import { describe, expect, it } from 'vitest';
import type { Vote } from '../../../src-main/studies/mos';
import { screenRatersBt500 } from '../../../src-main/studies/screening';

// 19 raters spread roughly normally about 50 on every item (β2 stays in [2, 4], so the limits are ±2 S); rater "odd"
// answers 57 (above the upper limit) on the items in `up`, 43 (below the lower one) on those in `down`, 50 elsewhere.
const OFF = [-4, -3, -3, -2, -2, -1, -1, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4];
function study(items: number, up: number[], down: number[]): Vote[] {
  const v: Vote[] = [];
  for (let i = 0; i < items; i++) {
    for (let r = 0; r < 19; r++) v.push({ rater: `g${r}`, item: `x${i}`, value: 50 + OFF[(r + i) % 19]! });
    v.push({ rater: 'odd', item: `x${i}`, value: up.includes(i) ? 57 : down.includes(i) ? 43 : 50 });
  }
  return v;
}
const odd = (v: Vote[]) => screenRatersBt500(v).perRater.find((r) => r.rater === 'odd')!;
const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);

describe('BT.500 rejection thresholds', () => {
  it('keeps a rater whose outlier ratio is exactly 0.05, and rejects one at 0.1', () => {
    const atLimit = odd(study(40, [0], [1]));
    expect([atLimit.p, atLimit.q, atLimit.j, atLimit.outlierRatio]).toEqual([1, 1, 40, 0.05]);
    expect(atLimit.rejected).toBe(false);
    const over = odd(study(40, [0, 2], [1, 3]));
    expect([over.outlierRatio, over.asymmetry]).toEqual([0.1, 0]);
    expect(over.rejected).toBe(true);
  });

  it('keeps a rater whose asymmetry is exactly 0.3, and rejects one at 0.2', () => {
    const atLimit = odd(study(40, range(0, 13), range(13, 7)));
    expect([atLimit.p, atLimit.q, atLimit.asymmetry]).toEqual([13, 7, 0.3]);
    expect(atLimit.rejected).toBe(false);
    const under = odd(study(40, range(0, 12), range(12, 8)));
    expect([under.p, under.q]).toEqual([12, 8]);
    expect(under.rejected).toBe(true);
  });
});

describe('BT.500 item statistics', () => {
  const item = (name: string, values: number[]): Vote[] => values.map((value, r) => ({ rater: `r${r}`, item: name, value }));

  it('takes β2 = 2 and β2 = 4 as normal (2 ≤ β2 ≤ 4), and β2 = 1 or 5 as not', () => {
    const res = screenRatersBt500([
      ...item('two', [2, 3, 3, 4]), // m2 = m4 = 1/2: β2 = 2
      ...item('four', [2, 3, 3, 3, 3, 3, 3, 4]), // m2 = m4 = 1/4: β2 = 4
      ...item('one', [2, 4]),
      ...item('five', [2, 3, 3, 3, 3, 3, 3, 3, 3, 4]),
    ]);
    const byItem = new Map(res.perItem.map((x) => [x.item, x]));
    expect([byItem.get('two')!.beta2, byItem.get('four')!.beta2]).toEqual([2, 4]);
    expect(byItem.get('one')!.beta2).toBeCloseTo(1, 12);
    expect(byItem.get('five')!.beta2).toBeCloseTo(5, 12);
    expect(res.perItem.map((x) => [x.item, x.normal])).toEqual([
      ['two', true],
      ['four', true],
      ['one', false],
      ['five', false],
    ]);
  });

  it('counts a vote exactly on the upper or lower limit (mean ± 2 S) as an outlier', () => {
    // [1, 1, 1, 1, 2, 6]: mean 2, S = 2, β2 = 3.9, upper limit 6 = the last vote.
    // [1, 5, 6, 6, 6, 6]: mean 5, S = 2, β2 = 3.9, lower limit 1 = the first vote.
    const res = screenRatersBt500([...item('up', [1, 1, 1, 1, 2, 6]), ...item('down', [1, 5, 6, 6, 6, 6])]);
    expect(res.perItem.map((x) => [x.item, x.mean, x.std, x.normal])).toEqual([
      ['up', 2, 2, true],
      ['down', 5, 2, true],
    ]);
    expect(res.perRater.map((r) => [r.rater, r.p, r.q])).toEqual([
      ['r0', 0, 1],
      ['r1', 0, 0],
      ['r2', 0, 0],
      ['r3', 0, 0],
      ['r4', 0, 0],
      ['r5', 1, 0],
    ]);
  });
});
