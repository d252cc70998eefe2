// A study's stored ratings to results: rater checks (BT.500, gold items, straight-lining), optional z-scoring, then MOS with 95% CIs or a pairwise scale.
import type { StudyResults } from '../../src-shared/api/schemas';
import type { StoredRating, StudyMethod, StudyRater } from '../store/repos/studies.repo';
import { computeMos, type Vote } from './mos';
import { bradleyTerry } from './pairwise';
import { checkGoldItems, detectStraightLining, screenRatersBt500, zScoreVotes } from './screening';

/** The values a rating may take per method (pairwise: 1 = the first image is better, 0 = the second). */
export const METHOD_SCALE: Record<StudyMethod, [number, number]> = { acr: [1, 5], slider: [0, 100], dcr: [1, 5], pairwise: [0, 1] };

/** Gold items answered correctly below this share mark a rater as inattentive. */
export const GOLD_MIN_SHARE = 0.8;

/** Bootstrap resamples of the pairwise scale's confidence intervals. */
const PAIRWISE_BOOTSTRAP = 500;

export interface AggregateInput {
  studyId: number;
  method: StudyMethod;
  ratings: readonly StoredRating[];
  raters: readonly Pick<StudyRater, 'raterId' | 'name'>[];
  imageName: (imageId: number) => string;
  /** 'bt500' drops raters flagged by BT.500, by gold items or as straight-liners; 'none' keeps everyone (flags are still reported). */
  screening: 'none' | 'bt500';
  zscore: boolean;
}

export function aggregateStudy(input: AggregateInput): StudyResults {
  const { method, ratings } = input;
  const key = (id: number) => String(id);
  const test = ratings.filter((r) => r.role === 'test');
  const gold = ratings.filter((r) => r.role === 'gold');
  const reasons = new Map<number, string[]>(input.raters.map((r) => [r.raterId, []]));
  const flag = (raterId: number, reason: string) => reasons.get(raterId)?.push(reason);

  const goldShare = new Map<number, number | null>();
  if (gold.length) {
    const goldVotes: Vote[] = gold.map((r) => ({ rater: key(r.raterId), item: key(r.itemId), value: r.value }));
    const expected = [...new Map(gold.map((r) => [r.itemId, r])).values()].map((r) => ({ item: key(r.itemId), expected: r.expected ?? Number.NaN }));
    // Pairwise gold is right or wrong; rating-scale gold tolerates ±1 (P.910) or ±20 on the slider.
    const tolerance = method === 'pairwise' ? 0 : method === 'slider' ? 20 : 1;
    for (const g of checkGoldItems(goldVotes, expected, { tolerance })) {
      goldShare.set(Number(g.rater), g.share);
      if (g.share !== null && g.share < GOLD_MIN_SHARE) flag(Number(g.rater), `gold ${g.correct}/${g.answered}`);
    }
  }

  const testVotes: Vote[] = test.map((r) => ({ rater: key(r.raterId), item: key(r.imageId), value: r.value }));
  if (method !== 'pairwise' && testVotes.length) {
    for (const r of screenRatersBt500(testVotes).rejected) flag(Number(r), 'BT.500');
    for (const s of detectStraightLining(testVotes)) if (s.flagged) flag(Number(s.rater), `straight-lining (${s.reasons.join(', ')})`);
  }
  const rejected = new Set(input.screening === 'bt500' ? [...reasons].filter(([, why]) => why.length).map(([id]) => id) : []);
  const kept = test.filter((r) => !rejected.has(r.raterId));

  const raters = input.raters.map((r) => {
    const mine = ratings.filter((x) => x.raterId === r.raterId);
    const times = mine.flatMap((x) => (x.durationMs === null ? [] : [x.durationMs])).sort((a, b) => a - b);
    return {
      raterId: r.raterId,
      name: r.name,
      votes: mine.length,
      rejected: rejected.has(r.raterId),
      reasons: reasons.get(r.raterId) ?? [],
      goldAccuracy: goldShare.get(r.raterId) ?? null,
      medianMs: times.length ? times[times.length >> 1]! : null,
    };
  });

  if (method === 'pairwise') {
    const comparisons = kept.map((r) => {
      const [winner, loser] = r.value >= 0.5 ? [r.imageId, r.otherImageId!] : [r.otherImageId!, r.imageId];
      return { winner: key(winner), loser: key(loser) };
    });
    const scaled = comparisons.length ? bradleyTerry(comparisons, { bootstrap: PAIRWISE_BOOTSTRAP, seed: input.studyId }).scores : [];
    const items = scaled
      .map((s) => ({
        imageId: Number(s.item),
        name: input.imageName(Number(s.item)),
        score: s.score,
        std: s.se,
        n: s.comparisons,
        ciLow: s.ci?.low ?? null,
        ciHigh: s.ci?.high ?? null,
      }))
      .sort((a, b) => a.imageId - b.imageId);
    const lo = Math.min(...items.map((i) => i.ciLow ?? i.score), 0);
    const hi = Math.max(...items.map((i) => i.ciHigh ?? i.score), 0);
    return { studyId: input.studyId, method, screening: input.screening, zscore: false, scale: [lo, hi], items, raters };
  }

  let votes: Vote[] = kept.map((r) => ({ rater: key(r.raterId), item: key(r.imageId), value: r.value }));
  if (input.zscore && votes.length) votes = zScoreVotes(votes).rescaled;
  const items = computeMos(votes)
    .map((m) => ({
      imageId: Number(m.item),
      name: input.imageName(Number(m.item)),
      score: m.mos,
      std: m.std,
      n: m.n,
      ciLow: m.ci?.low ?? null,
      ciHigh: m.ci?.high ?? null,
    }))
    .sort((a, b) => a.imageId - b.imageId);
  return { studyId: input.studyId, method, screening: input.screening, zscore: input.zscore, scale: METHOD_SCALE[method], items, raters };
}
