// Scaling of pairwise-comparison votes to scores: Bradley-Terry (MM with a prior) and Thurstone Case V, bootstrap CIs.
import { AppError } from '../../src-shared/api/errors';
import { seededRandom } from '../util/random';
import { normalQuantile, type ItemId } from './mos';

/**
 * `count` times, `winner` was preferred over `loser` (count: an integer ≥ 0, default 1). With `tie: true` the two
 * were judged equal instead, and each of the `count` ties gives half a win to either side (order does not matter).
 */
export interface Comparison {
  winner: ItemId;
  loser: ItemId;
  count?: number;
  tie?: boolean;
}

export interface PairwiseOptions {
  /** Bootstrap resamples for `se` and `ci`; 0 skips them. Default 1000. */
  bootstrap?: number;
  /** Seed of the bootstrap's PRNG (mulberry32): the same data, options and seed give the same intervals. Default 1. */
  seed?: number;
  /** Level of the percentile interval, in (0, 1). Default 0.95. */
  confidence?: number;
}

export interface BradleyTerryOptions extends PairwiseOptions {
  /**
   * Strength of the prior: every item is given `prior` wins and `prior` losses against a virtual item of fixed
   * strength 1 (score 0), which keeps an item that won (or lost) every comparison finite and pulls scores towards 0
   * by about as much as 2·prior real comparisons would. Must be > 0. Default 0.5.
   */
  prior?: number;
  /** Stop when one plain MM sweep moves no log-strength by more than this. Default 1e-12. */
  tolerance?: number;
  /** Most MM sweeps per fit. Default 100 000; `converged` says whether the point estimate got there. */
  maxIterations?: number;
}

export type ThurstoneOptions = PairwiseOptions;

export interface PairwiseScore {
  item: ItemId;
  /** On the model's scale, anchored so that the scores of all items average 0. */
  score: number;
  /** Bootstrap standard deviation of the score; null without bootstrap. */
  se: number | null;
  /** Bootstrap percentile interval; null without bootstrap. */
  ci: { low: number; high: number } | null;
  /** Wins of this item (a tie counts ½) and the comparisons it took part in. */
  wins: number;
  comparisons: number;
}

export interface PairwiseResult {
  method: 'bradley-terry' | 'thurstone-case-v';
  /** In order of first appearance of the items in the input. */
  scores: PairwiseScore[];
  /** MM sweeps of the point estimate (Bradley-Terry), null for Thurstone. */
  iterations: number | null;
  converged: boolean;
  bootstrap: number;
  seed: number;
}

/** One unordered pair a < b (item indices) and its outcomes. */
interface Pair {
  a: number;
  b: number;
  aWins: number;
  bWins: number;
  ties: number;
}

interface Tally {
  items: ItemId[];
  pairs: Pair[];
}

function tally(comparisons: readonly Comparison[]): Tally {
  const items: ItemId[] = [];
  const index = new Map<ItemId, number>();
  const idx = (id: ItemId) => {
    let i = index.get(id);
    if (i === undefined) {
      i = items.length;
      items.push(id);
      index.set(id, i);
    }
    return i;
  };
  const pairs = new Map<string, Pair>();
  for (let k = 0; k < comparisons.length; k++) {
    const c = comparisons[k]!;
    if (typeof c.winner !== 'string' || c.winner === '' || typeof c.loser !== 'string' || c.loser === '') {
      throw new AppError('bad_input', `comparison ${k} needs two item ids (got "${String(c.winner)}" and "${String(c.loser)}")`);
    }
    if (c.winner === c.loser) throw new AppError('bad_input', `comparison ${k} compares item "${c.winner}" with itself`);
    const count = c.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new AppError('bad_input', `comparison ${k} ("${c.winner}" over "${c.loser}") has count ${String(count)}; expected an integer ≥ 0`);
    }
    const w = idx(c.winner);
    const l = idx(c.loser);
    const a = Math.min(w, l);
    const b = Math.max(w, l);
    const key = `${a},${b}`;
    let p = pairs.get(key);
    if (!p) {
      p = { a, b, aWins: 0, bWins: 0, ties: 0 };
      pairs.set(key, p);
    }
    if (c.tie) p.ties += count;
    else if (w === a) p.aWins += count;
    else p.bWins += count;
  }
  const list = [...pairs.values()].filter((p) => p.aWins + p.bWins + p.ties > 0);
  if (items.length < 2 || list.length === 0) throw new AppError('bad_input', 'pairwise scaling needs at least one comparison between two items');
  assertConnected(items, list);
  return { items, pairs: list };
}

/** Scores of items in different components of the comparison graph are not comparable: refuse them. */
function assertConnected(items: readonly ItemId[], pairs: readonly Pair[]): void {
  const adj: number[][] = items.map(() => []);
  for (const p of pairs) {
    adj[p.a]!.push(p.b);
    adj[p.b]!.push(p.a);
  }
  const seen = new Array<boolean>(items.length).fill(false);
  const stack = [0];
  seen[0] = true;
  while (stack.length) {
    for (const j of adj[stack.pop()!]!) {
      if (!seen[j]) {
        seen[j] = true;
        stack.push(j);
      }
    }
  }
  const cut = seen.indexOf(false);
  if (cut >= 0) {
    throw new AppError(
      'bad_input',
      `items "${items[0]}" and "${items[cut]}" are not linked by any chain of comparisons, so their scores cannot be compared`,
    );
  }
}

/** Per pair: comparisons n and wins of the lower-index item (ties as ½). */
interface PairCounts {
  a: number;
  b: number;
  n: number;
  wa: number;
}

function counts(pairs: readonly Pair[]): PairCounts[] {
  return pairs.map((p) => ({ a: p.a, b: p.b, n: p.aWins + p.bWins + p.ties, wa: p.aWins + p.ties / 2 }));
}

/** Stratified bootstrap: each pair keeps its number of comparisons, drawn with replacement from its own outcomes. */
function resample(pairs: readonly Pair[], random: () => number): PairCounts[] {
  return pairs.map((p) => {
    const n = p.aWins + p.bWins + p.ties;
    let wa = 0;
    for (let k = 0; k < n; k++) {
      const u = random() * n;
      if (u < p.aWins) wa += 1;
      else if (u >= p.aWins + p.bWins) wa += 0.5;
    }
    return { a: p.a, b: p.b, n, wa };
  });
}

function centred(x: readonly number[]): number[] {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  return x.map((v) => v - m);
}

// ---------------------------------------------------------------------------------------------------------------
// Bradley-Terry

interface BtFit {
  scores: number[];
  iterations: number;
  converged: boolean;
}

/**
 * MAP Bradley-Terry, P(i beats j) = γ_i/(γ_i + γ_j), by Hunter's (2004) MM algorithm, cyclic form. With the virtual
 * opponent of the prior the update of item i is
 *   γ_i ← (W_i + prior) / (Σ_j n_ij/(γ_i + γ_j) + 2·prior/(γ_i + 1)),
 * a minorise-maximise step of the log-posterior, which is strictly concave in θ = ln γ, so the fixed point is unique.
 * Plain MM converges linearly and slowly on sparse designs (thousands of sweeps), so the sweeps are extrapolated by
 * SQUAREM (Varadhan & Roland 2008, scheme S3, in θ), falling back to two plain sweeps whenever an extrapolated point
 * would lower the log-posterior: the same fixed point, typically 10-50x fewer sweeps. `iterations` counts MM sweeps.
 */
function fitBt(nItems: number, pc: readonly PairCounts[], prior: number, tol: number, maxIter: number, start?: readonly number[]): BtFit {
  // Neighbours of each item in compressed rows: nbrItem/nbrCount[rowStart[i] .. rowStart[i + 1]).
  const wins = new Float64Array(nItems);
  const rowStart = new Int32Array(nItems + 1);
  for (const p of pc) {
    wins[p.a]! += p.wa;
    wins[p.b]! += p.n - p.wa;
    rowStart[p.a + 1]!++;
    rowStart[p.b + 1]!++;
  }
  for (let i = 0; i < nItems; i++) rowStart[i + 1]! += rowStart[i]!;
  const fill = rowStart.slice(0, nItems);
  const nbrItem = new Int32Array(2 * pc.length);
  const nbrCount = new Float64Array(2 * pc.length);
  for (const p of pc) {
    nbrItem[fill[p.a]!] = p.b;
    nbrCount[fill[p.a]!++] = p.n;
    nbrItem[fill[p.b]!] = p.a;
    nbrCount[fill[p.b]!++] = p.n;
  }
  let sweeps = 0;
  const g = new Float64Array(nItems);
  /** One cyclic MM sweep in θ = ln γ; returns the new point and the largest |Δθ|. */
  const sweep = (theta: readonly number[]): [number[], number] => {
    sweeps++;
    for (let i = 0; i < nItems; i++) g[i] = Math.exp(theta[i]!);
    let maxStep = 0;
    for (let i = 0; i < nItems; i++) {
      const gi = g[i]!;
      let denom = (2 * prior) / (gi + 1);
      for (let k = rowStart[i]!; k < rowStart[i + 1]!; k++) denom += nbrCount[k]! / (gi + g[nbrItem[k]!]!);
      const next = (wins[i]! + prior) / denom;
      maxStep = Math.max(maxStep, Math.abs(Math.log(next / gi)));
      g[i] = next;
    }
    return [Array.from(g, Math.log), maxStep];
  };
  /** Log-posterior up to a constant: Σ W_ij ln σ(θ_i − θ_j) + prior·Σ_i [ln σ(θ_i) + ln σ(−θ_i)]. */
  const logPost = (theta: readonly number[]): number => {
    let l = 0;
    for (const p of pc) {
      const d = theta[p.a]! - theta[p.b]!;
      l -= p.wa * softplus(-d) + (p.n - p.wa) * softplus(d);
    }
    for (const th of theta) l -= prior * (softplus(-th) + softplus(th));
    return l;
  };
  let theta = start ? [...start] : new Array<number>(nItems).fill(0);
  let converged = false;
  while (sweeps < maxIter) {
    const [t1, step1] = sweep(theta);
    if (step1 < tol) {
      theta = t1;
      converged = true;
      break;
    }
    const [t2, step2] = sweep(t1);
    if (step2 < tol) {
      theta = t2;
      converged = true;
      break;
    }
    let rr = 0;
    let vv = 0;
    for (let i = 0; i < nItems; i++) {
      const r = t1[i]! - theta[i]!;
      const v = t2[i]! - 2 * t1[i]! + theta[i]!;
      rr += r * r;
      vv += v * v;
    }
    const alpha = vv > 0 ? Math.min(-1, -Math.sqrt(rr / vv)) : -1;
    if (alpha === -1) {
      theta = t2;
      continue;
    }
    const jump = theta.map((th, i) => th - 2 * alpha * (t1[i]! - th) + alpha * alpha * (t2[i]! - 2 * t1[i]! + th));
    const [stabilised] = sweep(jump);
    theta = stabilised.every(Number.isFinite) && logPost(stabilised) >= logPost(t2) ? stabilised : t2;
  }
  return { scores: centred(theta), iterations: sweeps, converged };
}

/** ln(1 + e^x) without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * Bradley-Terry scores: natural log-strengths, so P(i preferred over j) = 1/(1 + e^−(s_i − s_j)) (a difference of 1
 * is 73 % preference), anchored to mean 0 over the items. See BradleyTerryOptions.prior for the regularisation.
 */
export function bradleyTerry(comparisons: readonly Comparison[], opts: BradleyTerryOptions = {}): PairwiseResult {
  const prior = opts.prior ?? 0.5;
  if (!(prior > 0) || !Number.isFinite(prior)) throw new AppError('bad_input', `Bradley-Terry prior must be a finite number > 0, got ${prior}`);
  const tol = opts.tolerance ?? 1e-12;
  const maxIter = opts.maxIterations ?? 100_000;
  const t = tally(comparisons);
  const n = t.items.length;
  const fit = fitBt(n, counts(t.pairs), prior, tol, maxIter);
  // Replicates start from the point estimate and stop at 1e-9: far below any bootstrap spread, and several times faster.
  const bootTol = Math.max(tol, 1e-9);
  const boot = runBootstrap(t, opts, (pc) => fitBt(n, pc, prior, bootTol, maxIter, fit.scores).scores);
  return assemble('bradley-terry', t, fit.scores, boot, fit.iterations, fit.converged);
}

// ---------------------------------------------------------------------------------------------------------------
// Thurstone Case V

/**
 * Proportion of pair (i, j) won by i, with 0 and 1 replaced by ½/(n + 1) and (n + ½)/(n + 1): the +½
 * (Haldane-Anscombe) correction applied only where the probit would be infinite. (The older 1/(2n) rule maps a single
 * unanimous comparison to 0.5, i.e. no information.)
 */
function correctedProportion(w: number, n: number): number {
  if (w <= 0) return 0.5 / (n + 1);
  if (w >= n) return (n + 0.5) / (n + 1);
  return w / n;
}

function fitThurstone(nItems: number, pc: readonly PairCounts[]): number[] {
  // Weighted least squares min Σ n_ij (z_ij − (s_i − s_j))² with Σ s = 0: (L + 11ᵀ) s = b, L the weighted Laplacian.
  const m = Array.from({ length: nItems }, () => new Array<number>(nItems + 1).fill(1));
  for (let i = 0; i < nItems; i++) m[i]![nItems] = 0;
  for (const p of pc) {
    const z = normalQuantile(correctedProportion(p.wa, p.n));
    m[p.a]![p.a]! += p.n;
    m[p.b]![p.b]! += p.n;
    m[p.a]![p.b]! -= p.n;
    m[p.b]![p.a]! -= p.n;
    m[p.a]![nItems]! += p.n * z;
    m[p.b]![nItems]! -= p.n * z;
  }
  // Gaussian elimination with partial pivoting; the matrix is symmetric positive definite for a connected graph.
  for (let c = 0; c < nItems; c++) {
    let piv = c;
    for (let r = c + 1; r < nItems; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    const row = m[c]!;
    for (let r = c + 1; r < nItems; r++) {
      const f = m[r]![c]! / row[c]!;
      if (f === 0) continue;
      const target = m[r]!;
      for (let k = c; k <= nItems; k++) target[k]! -= f * row[k]!;
    }
  }
  const s = new Array<number>(nItems).fill(0);
  for (let r = nItems - 1; r >= 0; r--) {
    let acc = m[r]![nItems]!;
    for (let k = r + 1; k < nItems; k++) acc -= m[r]![k]! * s[k]!;
    s[r] = acc / m[r]![r]!;
  }
  return centred(s);
}

/**
 * Thurstone Case V scores by least squares on the probit of the win proportions (Mosteller 1951, extended to
 * incomplete designs): z_ij = Φ⁻¹(p_ij) ≈ s_i − s_j, each observed pair weighted by its number of comparisons, scores
 * anchored to mean 0. The unit is the standard deviation of a perceived difference, so P(i over j) = Φ(s_i − s_j);
 * divide by Φ⁻¹(0.75) = 0.6745 for JND/JOD units (1 JOD = 75 % preference). See correctedProportion for 0/1.
 */
export function thurstoneCaseV(comparisons: readonly Comparison[], opts: ThurstoneOptions = {}): PairwiseResult {
  const t = tally(comparisons);
  const n = t.items.length;
  const scores = fitThurstone(n, counts(t.pairs));
  const boot = runBootstrap(t, opts, (pc) => fitThurstone(n, pc));
  return assemble('thurstone-case-v', t, scores, boot, null, true);
}

// ---------------------------------------------------------------------------------------------------------------
// Bootstrap and result assembly

interface Boot {
  samples: number[][] | null; // [replicate][item]
  confidence: number;
  b: number;
  seed: number;
}

function runBootstrap(t: Tally, opts: PairwiseOptions, fit: (pc: PairCounts[]) => number[]): Boot {
  const b = opts.bootstrap ?? 1000;
  const seed = opts.seed ?? 1;
  const confidence = opts.confidence ?? 0.95;
  if (!Number.isInteger(b) || b < 0) throw new AppError('bad_input', `bootstrap must be an integer ≥ 0, got ${b}`);
  if (!Number.isInteger(seed)) throw new AppError('bad_input', `seed must be an integer, got ${seed}`);
  if (!(confidence > 0 && confidence < 1)) throw new AppError('bad_input', `confidence must lie in (0, 1), got ${confidence}`);
  if (b === 0) return { samples: null, confidence, b, seed };
  const random = seededRandom(seed);
  const samples: number[][] = [];
  for (let r = 0; r < b; r++) samples.push(fit(resample(t.pairs, random)));
  return { samples, confidence, b, seed };
}

/** Quantile with linear interpolation between order statistics (numpy's default 'linear', Hyndman-Fan type 7). */
function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function assemble(
  method: PairwiseResult['method'],
  t: Tally,
  scores: readonly number[],
  boot: Boot,
  iterations: number | null,
  converged: boolean,
): PairwiseResult {
  const wins = new Array<number>(t.items.length).fill(0);
  const played = new Array<number>(t.items.length).fill(0);
  for (const p of t.pairs) {
    const n = p.aWins + p.bWins + p.ties;
    wins[p.a]! += p.aWins + p.ties / 2;
    wins[p.b]! += p.bWins + p.ties / 2;
    played[p.a]! += n;
    played[p.b]! += n;
  }
  const alpha = 1 - boot.confidence;
  return {
    method,
    scores: t.items.map((item, i) => {
      let se: number | null = null;
      let ci: PairwiseScore['ci'] = null;
      if (boot.samples) {
        const xs = boot.samples.map((s) => s[i]!).sort((x, y) => x - y);
        const m = xs.reduce((s, v) => s + v, 0) / xs.length;
        se = xs.length > 1 ? Math.sqrt(xs.reduce((s, v) => s + (v - m) * (v - m), 0) / (xs.length - 1)) : 0;
        ci = { low: quantileSorted(xs, alpha / 2), high: quantileSorted(xs, 1 - alpha / 2) };
      }
      return { item, score: scores[i]!, se, ci, wins: wins[i]!, comparisons: played[i]! };
    }),
    iterations,
    converged,
    bootstrap: boot.b,
    seed: boot.seed,
  };
}
