// A study's stored ratings to results: rater checks (BT.500, gold items, straight-lining), optional z-scoring, then MOS with 95% CIs or a pairwise scale.
import type { StudyResults } from '../../src-shared/api/schemas';
import type { StoredRating, StudyMethod, StudyRater } from '../store/repos/studies.repo';
import { plcc } from '../../src-shared/metrics/correlation';
import { computeMos, type Vote } from './mos';
import { fitSurealMle } from './sureal-mle';
import { bradleyTerry } from './pairwise';
import { checkGoldItems, detectStraightLining, screenRatersBt500, zScoreVotes } from './screening';

/** The values a rating may take per method (pairwise: 1 = the first image is better, 0 = the second). */
export const METHOD_SCALE: Record<StudyMethod, [number, number]> = { acr: [1, 5], slider: [0, 100], dcr: [1, 5], pairwise: [0, 1] };

/** Gold items answered correctly below this share mark a rater as inattentive. */
export const GOLD_MIN_SHARE = 0.8;

/** Intervals are given from this many votes on; below it the item is flagged "too few votes". */
export const MIN_VOTES_FOR_CI = 3;

/** A rater whose votes correlate with the MOS below this (over at least MOS_CORRELATION_MIN_ITEMS items) is flagged (P.913 §11.4 / P.808). */
export const MOS_CORRELATION_MIN = 0.75;
const MOS_CORRELATION_MIN_ITEMS = 5;

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
  /** 'mos': MOS with Student-t intervals; 'mle': SUREAL's MLE model (per-rater bias and inconsistency, per-content ambiguity). */
  model?: 'mos' | 'mle';
  /** The content (source) of each image for the MLE model's ambiguity; images without one share a group. */
  contentOf?: (imageId: number) => number | null;
}

/** An interval only from MIN_VOTES_FOR_CI votes on, clamped to the scale. */
function interval(n: number, low: number | null, high: number | null, [lo, hi]: readonly [number, number]) {
  if (n < MIN_VOTES_FOR_CI || low === null || high === null) return { ciLow: null, ciHigh: null, tooFewVotes: n < MIN_VOTES_FOR_CI };
  return { ciLow: Math.max(lo, Math.min(hi, low)), ciHigh: Math.max(lo, Math.min(hi, high)), tooFewVotes: false };
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
  const mosCorrelation = new Map<number, number | null>();
  if (method !== 'pairwise' && testVotes.length) {
    const mos = new Map(computeMos(testVotes).map((m) => [m.item, m.mos]));
    for (const [rater, mine] of groupByRater(testVotes)) {
      const r = mine.length >= MOS_CORRELATION_MIN_ITEMS ? plcc(mine.map((v) => v.value), mine.map((v) => mos.get(v.item)!)) : Number.NaN;
      mosCorrelation.set(Number(rater), Number.isFinite(r) ? r : null);
      if (Number.isFinite(r) && r < MOS_CORRELATION_MIN) flag(Number(rater), `MOS correlation ${r.toFixed(2)}`);
    }
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
      mosCorrelation: mosCorrelation.get(r.raterId) ?? null,
      bias: null as number | null,
      inconsistency: null as number | null,
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
        tooFewVotes: false,
      }))
      .sort((a, b) => a.imageId - b.imageId);
    const lo = Math.min(...items.map((i) => i.ciLow ?? i.score), 0);
    const hi = Math.max(...items.map((i) => i.ciHigh ?? i.score), 0);
    return { studyId: input.studyId, method, model: 'mos', screening: input.screening, zscore: false, scale: [lo, hi], items, raters };
  }

  let votes: Vote[] = kept.map((r) => ({ rater: key(r.raterId), item: key(r.imageId), value: r.value }));
  if (input.zscore && votes.length) votes = zScoreVotes(votes).rescaled;
  const scale = METHOD_SCALE[method];
  if (input.model === 'mle' && votes.length) return mleResults(input, votes, raters, scale);
  const items = computeMos(votes)
    .map((m) => ({
      imageId: Number(m.item),
      name: input.imageName(Number(m.item)),
      score: m.mos,
      std: m.std,
      n: m.n,
      ...interval(m.n, m.ci?.low ?? null, m.ci?.high ?? null, scale),
    }))
    .sort((a, b) => a.imageId - b.imageId);
  return { studyId: input.studyId, method, model: 'mos', screening: input.screening, zscore: input.zscore, scale, items, raters };
}

function groupByRater(votes: readonly Vote[]): Map<string, Vote[]> {
  const out = new Map<string, Vote[]>();
  for (const v of votes) (out.get(v.rater) ?? out.set(v.rater, []).get(v.rater)!).push(v);
  return out;
}

/** SUREAL's MLE model over the kept votes: x_e with its 95% interval, each rater's bias and inconsistency. */
function mleResults(input: AggregateInput, votes: Vote[], raters: StudyResults['raters'], scale: [number, number]): StudyResults {
  const itemIds = [...new Set(votes.map((v) => v.item))];
  const raterIds = [...new Set(votes.map((v) => v.rater))];
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const raterIndex = new Map(raterIds.map((id, i) => [id, i]));
  const contents = new Map<number | null, number>();
  const contentOf = itemIds.map((id) => {
    const c = input.contentOf?.(Number(id)) ?? null;
    return contents.get(c) ?? contents.set(c, contents.size).get(c)!;
  });
  const fit = fitSurealMle({
    items: itemIds.length,
    raters: raterIds.length,
    contentOf,
    votes: votes.map((v) => ({ item: itemIndex.get(v.item)!, rater: raterIndex.get(v.rater)!, value: v.value })),
  });
  const counts = new Map<string, number>();
  for (const v of votes) counts.set(v.item, (counts.get(v.item) ?? 0) + 1);
  const items = itemIds
    .map((id, e) => {
      const n = counts.get(id)!;
      const half = fit.qualityCi95[e]!;
      return {
        imageId: Number(id),
        name: input.imageName(Number(id)),
        score: fit.quality[e]!,
        std: fit.qualityStd[e]!,
        n,
        ...interval(n, fit.quality[e]! - half, fit.quality[e]! + half, scale),
      };
    })
    .sort((a, b) => a.imageId - b.imageId);
  const withModel = raters.map((r) => {
    const s = raterIndex.get(String(r.raterId));
    return s === undefined ? r : { ...r, bias: fit.bias[s]!, inconsistency: fit.inconsistency[s]! };
  });
  return { studyId: input.studyId, method: input.method, model: 'mle', screening: input.screening, zscore: input.zscore, scale, items, raters: withModel };
}
