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
    raters: raterIds.map((raterId) => ({ raterId, name: `r${raterId}` })),
    imageName: (id) => `img${id}`,
    screening,
    zscore: false,
  });
}

/** t(0.975; dof) from the mpmath goldens. */
const t975 = (dof: number) => GOLDEN.mos.t_ppf[GOLDEN.mos.t_dofs.indexOf(dof)]![GOLDEN.mos.t_ps.indexOf(0.975)]!;

describe('aggregateStudy: MOS with t intervals', () => {
  it('gives the mean, the sample std and mean ± t(0.975; n−1)·s/√n from 3 votes on, clamped to the scale; "too few votes" below', () => {
    // Image 1: six votes 3, 4, 4, 3, 4, 3 (mean 3.5, sample variance 0.3); image 2: votes 1 and 4; image 3: votes 1, 5, 1.
    const r = aggregate('acr', [
      ...[3, 4, 4, 3, 4, 3].map((v, i) => rating(i + 1, 1, v)),
      rating(1, 2, 1), rating(2, 2, 4),
      rating(1, 3, 1), rating(2, 3, 5), rating(3, 3, 1),
    ]);
    const [one, two, three] = r.items;
    const s1 = Math.sqrt(0.3);
    expect(one).toMatchObject({ imageId: 1, n: 6, tooFewVotes: false });
    expect(Math.abs(one!.score - 3.5)).toBeLessThan(1e-12);
    expect(Math.abs(one!.std! - s1)).toBeLessThan(1e-12);
    expect(Math.abs(one!.ciLow! - (3.5 - (t975(5) * s1) / Math.sqrt(6)))).toBeLessThan(1e-12);
    expect(Math.abs(one!.ciHigh! - (3.5 + (t975(5) * s1) / Math.sqrt(6)))).toBeLessThan(1e-12);
    expect(two).toMatchObject({ n: 2, ciLow: null, ciHigh: null, tooFewVotes: true });
    expect(Math.abs(two!.std! - Math.sqrt(4.5))).toBeLessThan(1e-12);
    // 7/3 ± t(0.975; 2)·2.31/√3 = −3.4 … 8.1 on a 1-5 scale: clamped to 1 … 5.
    expect(three).toMatchObject({ n: 3, ciLow: 1, ciHigh: 5, tooFewVotes: false });
    expect(r.scale).toEqual([1, 5]);
  });

  it('flags a rater whose votes do not follow the MOS and drops them under screening', () => {
    const good = (rater: number, offset: number) => [1, 2, 3, 4, 5, 3].map((v, i) => rating(rater, i + 1, Math.min(5, Math.max(1, v + offset))));
    const contrary = [5, 4, 3, 2, 1, 3].map((v, i) => rating(9, i + 1, v));
    const ratings = [...good(1, 0), ...good(2, 0), ...good(3, 1), ...good(4, 0), ...contrary];
    const flagged = aggregate('acr', ratings).raters.find((x) => x.raterId === 9)!;
    expect(flagged.mosCorrelation!).toBeLessThan(0);
    expect(flagged.reasons.join()).toMatch(/MOS correlation/);
    expect(aggregate('acr', ratings).raters.find((x) => x.raterId === 1)!.mosCorrelation!).toBeGreaterThan(0.9);
    const screened = aggregate('acr', ratings, 'bt500');
    expect(screened.raters.find((x) => x.raterId === 9)!.rejected).toBe(true);
    expect(screened.items.every((i) => i.n === 4)).toBe(true);
  });

  it('fits SUREAL\'s MLE model on request: a lenient rater\'s bias comes out positive', () => {
    const ratings = [1, 2, 3, 4, 5].flatMap((rater) => [1, 2, 3, 4, 5, 6].map((img) => rating(rater, img, Math.min(5, 1 + ((img + rater) % 4) + (rater === 5 ? 1 : 0)))));
    const r = aggregateStudy({ studyId: 1, method: 'acr', ratings, raters: [1, 2, 3, 4, 5].map((raterId) => ({ raterId, name: `r${raterId}` })), imageName: String, screening: 'none', zscore: false, model: 'mle' });
    expect(r.model).toBe('mle');
    expect(r.items).toHaveLength(6);
    expect(r.raters.find((x) => x.raterId === 5)!.bias!).toBeGreaterThan(0);
    expect(r.raters.every((x) => x.inconsistency !== null && x.inconsistency >= 0)).toBe(true);
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
