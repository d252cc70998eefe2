// Gradient-boosted regression trees in plain TypeScript (Friedman 2001, squared loss) with histogram split finding, for the default quality model.
import { seededRandom } from '../../util/random';

export interface Tree {
  /** Per node: the feature tested, or -1 for a leaf. */
  feature: number[];
  /** Per node: go left when x[feature] <= threshold. */
  threshold: number[];
  left: number[];
  right: number[];
  /** Per node: the leaf's output (already scaled by the learning rate). */
  value: number[];
}

export interface Gbt {
  kind: 'gbt';
  bias: number;
  trees: Tree[];
}

export interface GbtOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** Smallest number of samples in a leaf. */
  minLeaf: number;
  /** L2 penalty on leaf values (XGBoost's λ). */
  lambda: number;
  /** Share of samples each tree sees. */
  subsample: number;
  /** Share of features each tree may split on. */
  colsample: number;
  /** Histogram bins per feature. */
  bins: number;
  seed: number;
  /**
   * Monotone constraints per feature index: +1 = the score may only rise with the feature, -1 = only fall (XGBoost's
   * monotone_constraints: a split on such a feature must order its two leaf values that way, and each side's subtree
   * stays within the bound the split's midpoint sets). Features not named are free.
   */
  monotone?: Readonly<Record<number, 1 | -1>>;
  /** Called every 50 trees with the training RMSE. */
  onProgress?: (trees: number, rmse: number) => void;
}

export const GBT_DEFAULTS: Omit<GbtOptions, 'seed'> = { trees: 600, depth: 6, learningRate: 0.05, minLeaf: 20, lambda: 1, subsample: 0.7, colsample: 0.7, bins: 64 };


/** Bin edges per feature at the quantiles of its values (NaN counts as the lowest value). */
function binEdges(x: readonly Float64Array[], f: number, bins: number): Float64Array {
  const v = Float64Array.from(x, (r) => (Number.isFinite(r[f]!) ? r[f]! : -Infinity)).sort();
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const e = v[Math.floor((b * (v.length - 1)) / bins)]!;
    if (!edges.length || e > edges[edges.length - 1]!) edges.push(e);
  }
  return Float64Array.from(edges);
}

function binOf(edges: Float64Array, value: number): number {
  const v = Number.isFinite(value) ? value : -Infinity;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function predictTree(t: Tree, x: ArrayLike<number>): number {
  let n = 0;
  while (t.feature[n]! >= 0) {
    const v = x[t.feature[n]!]!;
    n = (Number.isFinite(v) ? v : -Infinity) <= t.threshold[n]! ? t.left[n]! : t.right[n]!;
  }
  return t.value[n]!;
}

export function predictGbt(m: Gbt, x: ArrayLike<number>): number {
  let s = m.bias;
  for (const t of m.trees) s += predictTree(t, x);
  return s;
}

/**
 * What the trees minimise, as per-sample first and second derivatives of the loss at the current predictions
 * (XGBoost's Newton boosting, Chen & Guestrin, KDD 2016, eq. 6): `h` may not be negative.
 */
export interface GbtObjective {
  gradients(pred: Float64Array, g: Float64Array, h: Float64Array): void;
}

/** Half the squared error: g = p - y, h = 1 (plain least-squares boosting). */
export const squaredLoss = (y: readonly number[]): GbtObjective => ({
  gradients(pred, g, h) {
    for (let i = 0; i < pred.length; i++) {
      g[i] = pred[i]! - y[i]!;
      h[i] = 1;
    }
  },
});

/**
 * Least squares plus a pairwise ranking term (RankNet's logistic loss, Burges et al., ICML 2005, eq. 3):
 * for each pair (better, worse), weight · log(1 + exp(-σ (p_better - p_worse))). The pairs tell the trees the
 * order that matters (the levels of one distortion on one photo, the photo above each of its distorted copies)
 * even where the absolute label cannot be told from the image alone.
 */
export function rankingLoss(y: readonly number[], pairs: { better: Int32Array; worse: Int32Array; weight: Float64Array }, sigma: number, squaredWeight = 1): GbtObjective {
  return {
    gradients(pred, g, h) {
      for (let i = 0; i < pred.length; i++) {
        g[i] = squaredWeight * (pred[i]! - y[i]!);
        h[i] = squaredWeight;
      }
      for (let k = 0; k < pairs.better.length; k++) {
        const a = pairs.better[k]!;
        const b = pairs.worse[k]!;
        const rho = 1 / (1 + Math.exp(sigma * (pred[a]! - pred[b]!)));
        const w = pairs.weight[k]!;
        g[a]! -= w * sigma * rho;
        g[b]! += w * sigma * rho;
        const hh = w * sigma * sigma * rho * (1 - rho);
        h[a]! += hh;
        h[b]! += hh;
      }
    },
  };
}

/**
 * Fits one tree after another to the loss's gradients (least squares unless `objective` says otherwise); each split
 * maximises G²/(H + λ) over its two sides, each leaf holds -G/(H + λ) scaled by the learning rate.
 */
export function trainGbt(x: readonly Float64Array[], y: readonly number[], o: GbtOptions, objective: GbtObjective = squaredLoss(y)): Gbt {
  const n = x.length;
  const nf = x[0]!.length;
  const edges = Array.from({ length: nf }, (_, f) => binEdges(x, f, o.bins));
  const binned = Array.from({ length: nf }, (_, f) => Uint8Array.from(x, (r) => binOf(edges[f]!, r[f]!)));
  const bias = y.reduce((a, b) => a + b, 0) / n;
  const pred = new Float64Array(n).fill(bias);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const random = seededRandom(o.seed);
  const trees: Tree[] = [];
  const nb = o.bins;
  const hs = new Float64Array(nb);
  const hc = new Float64Array(nb);
  const hh = new Float64Array(nb);

  for (let k = 0; k < o.trees; k++) {
    objective.gradients(pred, grad, hess);
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (random() < o.subsample) rows.push(i);
    const feats: number[] = [];
    for (let f = 0; f < nf; f++) if (random() < o.colsample) feats.push(f);
    if (!feats.length) feats.push(Math.floor(random() * nf));
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    // lo / hi: the bounds a monotone split above this node puts on its leaf values (before the learning rate).
    const grow = (idx: number[], depth: number, lo = -Infinity, hi = Infinity): number => {
      const node = tree.feature.length;
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      let sum = 0;
      let hsum = 0;
      for (const i of idx) {
        sum -= grad[i]!;
        hsum += hess[i]!;
      }
      const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
      // (Written as before the constraints when unbounded, so that unconstrained training stays byte-identical.)
      tree.value.push(lo === -Infinity && hi === Infinity ? (o.learningRate * sum) / (hsum + o.lambda) : o.learningRate * clamp(sum / (hsum + o.lambda)));
      if (depth >= o.depth || idx.length < 2 * o.minLeaf) return node;
      const parentGain = (sum * sum) / (hsum + o.lambda);
      let best = { gain: 1e-9, f: -1, b: -1, wl: 0, wr: 0 };
      for (const f of feats) {
        const sign = o.monotone?.[f] ?? 0;
        hs.fill(0);
        hc.fill(0);
        hh.fill(0);
        const col = binned[f]!;
        for (const i of idx) {
          hs[col[i]!]! -= grad[i]!;
          hc[col[i]!]!++;
          hh[col[i]!]! += hess[i]!;
        }
        let ls = 0;
        let lc = 0;
        let lh = 0;
        for (let b = 0; b < edges[f]!.length; b++) {
          ls += hs[b]!;
          lc += hc[b]!;
          lh += hh[b]!;
          const rc = idx.length - lc;
          if (lc < o.minLeaf) continue;
          if (rc < o.minLeaf) break;
          const rs = sum - ls;
          const wl = clamp(ls / (lh + o.lambda));
          const wr = clamp(rs / (hsum - lh + o.lambda));
          if (sign !== 0 && sign * (wr - wl) < 0) continue;
          const gain = (ls * ls) / (lh + o.lambda) + (rs * rs) / (hsum - lh + o.lambda) - parentGain;
          if (gain > best.gain) best = { gain, f, b, wl, wr };
        }
      }
      if (best.f < 0) return node;
      const col = binned[best.f]!;
      const li = idx.filter((i) => col[i]! <= best.b);
      const ri = idx.filter((i) => col[i]! > best.b);
      tree.feature[node] = best.f;
      tree.threshold[node] = edges[best.f]![best.b]!;
      const sign = o.monotone?.[best.f] ?? 0;
      const mid = (best.wl + best.wr) / 2;
      tree.left[node] = grow(li, depth + 1, sign < 0 ? Math.max(lo, mid) : lo, sign > 0 ? Math.min(hi, mid) : hi);
      tree.right[node] = grow(ri, depth + 1, sign > 0 ? Math.max(lo, mid) : lo, sign < 0 ? Math.min(hi, mid) : hi);
      return node;
    };
    grow(rows, 0);
    trees.push(tree);
    for (let i = 0; i < n; i++) pred[i]! += predictTree(tree, x[i]!);
    if (o.onProgress && ((k + 1) % 50 === 0 || k + 1 === o.trees)) {
      let se = 0;
      for (let i = 0; i < n; i++) se += (y[i]! - pred[i]!) ** 2;
      o.onProgress(k + 1, Math.sqrt(se / n));
    }
  }
  return { kind: 'gbt', bias, trees };
}
