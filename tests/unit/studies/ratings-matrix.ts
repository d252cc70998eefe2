// The study statistics goldens (tests/golden/studies, made by its make_golden.py): the 12-rater x 30-item ratings
// matrix and the values numpy/scipy/mpmath give for it and for the pairwise data sets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '../../golden/studies');

/** Ratings matrix M[rater][item] on a 0-100 scale, null = not rated. */
export const M: (number | null)[][] = (JSON.parse(readFileSync(join(DIR, 'ratings.json'), 'utf8')) as { M: (number | null)[][] }).M;

type Nullable = (number | null)[];
export interface StudyGolden {
  mos: {
    t_ps: number[];
    t_dofs: number[];
    t_ppf: number[][];
    t_cdf: [number, number, number][];
    z_ppf: [number, number][];
    t_ppf_nonint: [number, number, number][];
    near_half: { t: [number, number, number][]; z: [number, number][] };
    n: number[];
    mos: number[];
    std: Nullable;
    hw95: Nullable;
    hw99: Nullable;
  };
  bt500: { p: number[]; q: number[]; rejected: number[]; beta2: Nullable };
  sureal: { items: number[]; p: number[]; q: number[]; rejected: number[] };
  zscore: { rater_std: number[]; pooled_mean: number; pooled_std: number; zs_mos: number[] };
  pairwise: {
    a: { items: string[]; w: number[][]; bt_prior_0_5: number[]; bt_prior_0_1: number[]; thurstone: number[] };
    b: { items: string[]; comparisons: { winner: string; loser: string; count: number; tie?: boolean }[]; bt: number[]; thurstone: number[] };
    c: { items: string[]; w: number[][]; bt: number[]; bt_fisher_se: number[]; thurstone: number[] };
  };
}

export const GOLDEN = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as StudyGolden;
