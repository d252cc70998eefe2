// Rank correlations (SRCC, KRCC tau-b) and linear statistics (PLCC, RMSE) as IQA papers report them.

function assertPaired(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new Error(`metric inputs differ in length (${a.length} vs ${b.length})`);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) throw new Error(`metric input ${i} is not a finite number`);
  }
}

function mean(x: readonly number[]): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** Pearson linear correlation; NaN when either side is constant or there are fewer than 2 points. */
export function plcc(a: readonly number[], b: readonly number[]): number {
  assertPaired(a, b);
  if (a.length < 2) return Number.NaN;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return Number.NaN;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** Ranks 1..n with ties given their average rank (scipy.stats.rankdata 'average'). */
export function rank(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((i, j) => x[i]! - x[j]!);
  const ranks = new Array<number>(x.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]!] === x[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = avg;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank-order correlation: Pearson on average ranks, so ties are handled as scipy does. */
export function srcc(a: readonly number[], b: readonly number[]): number {
  assertPaired(a, b);
  return plcc(rank(a), rank(b));
}

function tiePairs(sorted: readonly number[]): number {
  let pairs = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run++;
    else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs;
}

/** Counts inversions of `v` while merge-sorting it in place (Knight 1966). */
function sortCountingSwaps(v: number[]): number {
  const buf = new Array<number>(v.length);
  let swaps = 0;
  for (let width = 1; width < v.length; width *= 2) {
    for (let lo = 0; lo < v.length; lo += 2 * width) {
      const mid = Math.min(lo + width, v.length);
      const hi = Math.min(lo + 2 * width, v.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (v[j]! < v[i]!) {
          swaps += mid - i;
          buf[k++] = v[j++]!;
        } else buf[k++] = v[i++]!;
      }
      while (i < mid) buf[k++] = v[i++]!;
      while (j < hi) buf[k++] = v[j++]!;
      for (let t = lo; t < hi; t++) v[t] = buf[t]!;
    }
  }
  return swaps;
}

/** Kendall tau-b in O(n log n) (Knight's algorithm), equal to scipy.stats.kendalltau's default. */
export function krcc(a: readonly number[], b: readonly number[]): number {
  assertPaired(a, b);
  const n = a.length;
  if (n < 2) return Number.NaN;
  const order = a.map((_, i) => i).sort((i, j) => a[i]! - a[j]! || b[i]! - b[j]!);
  const xs = order.map((i) => a[i]!);
  const ys = order.map((i) => b[i]!);
  const n0 = (n * (n - 1)) / 2;
  const n1 = tiePairs(xs);
  let n3 = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && xs[i] === xs[i - 1] && ys[i] === ys[i - 1]) run++;
    else {
      n3 += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  const swaps = sortCountingSwaps(ys);
  const n2 = tiePairs(ys);
  const denom = Math.sqrt((n0 - n1) * (n0 - n2));
  if (denom === 0) return Number.NaN;
  const concordantMinusDiscordant = n0 - n1 - n2 + n3 - 2 * swaps;
  return Math.max(-1, Math.min(1, concordantMinusDiscordant / denom));
}

export function rmse(pred: readonly number[], target: readonly number[]): number {
  assertPaired(pred, target);
  if (!pred.length) return Number.NaN;
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (pred[i]! - target[i]!) ** 2;
  return Math.sqrt(s / pred.length);
}
