// aggregateStudy on hand-made ratings: the MOS, std and t interval of raters who disagree, and the gold tolerance
// per method (ACR ±1, slider ±20, pairwise exact).
import { describe, expect, it } from 'vitest';
import { aggregateStudy, type AggregateInput } from '../../../src-main/studies/aggregate';
import type { StoredRating, StudyMethod } from '../../../src-main/store/repos/studies.repo';
import { GOLDEN } from './ratings-matrix';

let nextId = 1;
function rating(raterId: number, imageId: number, value: number, role: StoredRating['role'] = 'test', expected: number | null = null, otherImageId: number | null = null): StoredRating {
  const id = nextId++;
  return { id, raterId, itemId: role === 'gold' ? 1000 + imageId : imageId, imageId, otherImageId, role, expected, value, durationMs: 1000, createdAt: '2026-01-01' };
}

function aggregate(method: StudyMethod, ratings: StoredRating[], screening: AggregateInput['screening'] = 'none') {
  const raterIds = [...new Set(ratings.map((r) => r.raterId))];
  return aggregateStudy({
    studyId: 1,
    method,
    ratings,
    raters: raterIds.map((raterId) => ({ raterId, name: `r${raterId}`, seed: raterId, createdAt: '2026-01-01' })),
    imageName: (id) => `img${id}`,
    screening,
    zscore: false,
  });
}

/** t(0.975; dof) from the mpmath goldens. */
const t975 = (dof: number) => GOLDEN.mos.t_ppf[GOLDEN.mos.t_dofs.indexOf(dof)]![GOLDEN.mos.t_ps.indexOf(0.975)]!;

describe('aggregateStudy: MOS with t intervals', () => {
  it('gives the mean, the sample std and mean ± t(0.975; n−1)·s/√n for raters who disagree', () => {
    // Image 1: votes 2, 4, 5 (mean 11/3, sample variance 7/3); image 2: votes 1 and 4 (mean 2.5, variance 4.5).
    const r = aggregate('acr', [rating(1, 1, 2), rating(2, 1, 4), rating(3, 1, 5), rating(1, 2, 1), rating(2, 2, 4)]);
    const [one, two] = r.items;
    const s1 = Math.sqrt(7 / 3);
    expect(one).toMatchObject({ imageId: 1, n: 3 });
    expect(Math.abs(one!.score - 11 / 3)).toBeLessThan(1e-12);
    expect(Math.abs(one!.std! - s1)).toBeLessThan(1e-12);
    expect(Math.abs(one!.ciLow! - (11 / 3 - (t975(2) * s1) / Math.sqrt(3)))).toBeLessThan(1e-12);
    expect(Math.abs(one!.ciHigh! - (11 / 3 + (t975(2) * s1) / Math.sqrt(3)))).toBeLessThan(1e-12);
    const s2 = Math.sqrt(4.5);
    expect(Math.abs(two!.std! - s2)).toBeLessThan(1e-12);
    expect(Math.abs(two!.ciHigh! - two!.ciLow! - (2 * t975(1) * s2) / Math.SQRT2)).toBeLessThan(1e-12);
    expect(r.scale).toEqual([1, 5]);
  });
});

describe('aggregateStudy: gold items', () => {
  // Rater 1 is off by exactly the tolerance on every gold item, rater 2 by just over it.
  const gold = (method: StudyMethod, expected: number, within: number, beyond: number) =>
    aggregate(method, [
      ...[1, 2].map((rater) => (method === 'pairwise' ? rating(rater, 1, 1, 'test', null, 2) : rating(rater, 1, 3))),
      ...[10, 11, 12].flatMap((img) => [rating(1, img, within, 'gold', expected), rating(2, img, beyond, 'gold', expected)]),
    ]).raters.map((x) => [x.goldAccuracy, x.reasons.some((why) => why.startsWith('gold'))]);

  it('ACR accepts answers within ±1 of the expected one', () => {
    expect(gold('acr', 1, 2, 3)).toEqual([
      [1, false],
      [0, true],
    ]);
  });

  it('the slider accepts answers within ±20', () => {
    expect(gold('slider', 10, 30, 31)).toEqual([
      [1, false],
      [0, true],
    ]);
  });

  it('pairwise gold is right or wrong', () => {
    expect(gold('pairwise', 1, 1, 0)).toEqual([
      [1, false],
      [0, true],
    ]);
  });
});
