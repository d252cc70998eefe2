// Held-out figures for a quality score on a synthetic set: SRCC against the pseudo-MOS and, label-free, against the distortion level.
import { plcc, srcc } from '../../../src-shared/metrics/correlation';
import type { SetRow } from './sets';

export interface TypeFigures {
  n: number;
  /** SRCC of the score against the pseudo-MOS. */
  srccMos: number;
  /** SRCC of the score against minus the level (label-free: higher level = worse). */
  srccLevel: number;
  /** Share of level pairs of one distortion on one photo that the score orders right (ties count as wrong). */
  levelPairs: number;
  /** Share of (photo, type) where the undistorted photo scores above its level-1 version (ties count as wrong). */
  refAboveL1: number;
}

export interface SetFigures extends TypeFigures {
  plccMos: number;
  perType: Record<string, TypeFigures>;
}

/**
 * `score(row)` for each distorted image and `refScore(reference)` for each undistorted photo. Pair counts are taken
 * over every (photo, type): the 10 level pairs, and the reference against level 1.
 */
export function evaluateScores(rows: readonly SetRow[], scores: readonly number[], refScores: ReadonlyMap<string, number>): SetFigures {
  const groups = new Map<string, { level: number; s: number }[]>();
  rows.forEach((r, i) => {
    const k = `${r.reference}\u0000${r.distortion}`;
    groups.set(k, [...(groups.get(k) ?? []), { level: r.level, s: scores[i]! }]);
  });
  const pairStats = (types: string | null) => {
    let ok = 0;
    let n = 0;
    let refOk = 0;
    let refN = 0;
    for (const [k, g] of groups) {
      const [ref, type] = k.split('\u0000') as [string, string];
      if (types !== null && type !== types) continue;
      for (const a of g) for (const b of g) if (a.level < b.level) {
        n++;
        if (a.s > b.s) ok++;
      }
      const l1 = g.find((x) => x.level === 1);
      const rs = refScores.get(ref);
      if (l1 && rs !== undefined) {
        refN++;
        if (rs > l1.s) refOk++;
      }
    }
    return { levelPairs: n ? ok / n : NaN, refAboveL1: refN ? refOk / refN : NaN };
  };
  const figures = (idx: number[], type: string | null): TypeFigures => {
    const s = idx.map((i) => scores[i]!);
    return {
      n: idx.length,
      srccMos: srcc(s, idx.map((i) => rows[i]!.mos)),
      srccLevel: srcc(s, idx.map((i) => -rows[i]!.level)),
      ...pairStats(type),
    };
  };
  const all = rows.map((_, i) => i);
  const perType: Record<string, TypeFigures> = {};
  for (const t of [...new Set(rows.map((r) => r.distortion))].sort()) perType[t] = figures(all.filter((i) => rows[i]!.distortion === t), t);
  return { ...figures(all, null), plccMos: plcc(scores, rows.map((r) => r.mos)), perType };
}

/** The distortion types the issue holds to SRCC >= 0.90 each. */
export const TARGET_TYPES = [
  'gaussian_blur', 'lens_blur', 'motion_blur', 'white_noise', 'white_noise_color', 'impulse_noise', 'multiplicative_noise', 'jpeg', 'webp', 'brighten', 'darken',
] as const;
