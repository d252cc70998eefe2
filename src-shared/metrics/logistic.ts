// The nonlinear mapping fitted before PLCC/RMSE in VQEG-style IQA evaluation (4- and 5-parameter logistic), by Levenberg-Marquardt.

export type LogisticKind = 4 | 5;

interface Family {
  n: number;
  f(x: number, p: readonly number[]): number;
  /** Partial derivatives of f with respect to each parameter at x. */
  grad(x: number, p: readonly number[], out: number[]): void;
  starts(sign: number, yRange: number): number[][];
}

const clampExp = (t: number) => Math.exp(Math.max(-50, Math.min(50, t)));

/** VQEG 5-parameter: b1 (1/2 - 1/(1 + e^{b2 (x - b3)})) + b4 x + b5 (Sheikh et al. 2006, LIVE). */
const FIVE: Family = {
  n: 5,
  f: (x, [b1, b2, b3, b4, b5]) => b1! * (0.5 - 1 / (1 + clampExp(b2! * (x - b3!)))) + b4! * x + b5!,
  grad(x, [b1, b2, b3], out) {
    const e = clampExp(b2! * (x - b3!));
    const s = 1 / (1 + e);
    const ds = s * s * e; // d/dt of -1/(1+e^t) = e^t/(1+e^t)^2
    out[0] = 0.5 - s;
    out[1] = b1! * ds * (x - b3!);
    out[2] = -b1! * ds * b2!;
    out[3] = x;
    out[4] = 1;
  },
  starts: (sign, r) => [
    ...[0.5, 1, 2, 3, 5, 10].flatMap((b2) => [-1, 0, 1].map((b3) => [sign * r, b2, b3, 0, 0])),
    [sign * r * 0.5, 0.5, 0, sign * 0.5, 0],
    [0, 1, 0, sign, 0],
  ],
};

/** 4-parameter: (b1 - b2) / (1 + e^{-(x - b3)/|b4|}) + b2 (VQEG FR-TV phase II). */
const FOUR: Family = {
  n: 4,
  f: (x, [b1, b2, b3, b4]) => (b1! - b2!) / (1 + clampExp(-(x - b3!) / Math.abs(b4!))) + b2!,
  grad(x, [b1, b2, b3, b4], out) {
    const a = Math.abs(b4!) || 1e-12;
    const e = clampExp(-(x - b3!) / a);
    const s = 1 / (1 + e);
    const ds = s * s * e; // derivative of s with respect to its argument (x - b3)/a
    out[0] = s;
    out[1] = 1 - s;
    out[2] = -(b1! - b2!) * ds / a;
    out[3] = -(b1! - b2!) * ds * ((x - b3!) / (a * a)) * Math.sign(b4! || 1);
  },
  starts: (sign, r) =>
    [0.25, 0.5, 1, 2].flatMap((w) =>
      [-1, 0, 1].map((b3) => (sign >= 0 ? [r / 2 + 0.5, -r / 2 - 0.5, b3, w] : [-r / 2 - 0.5, r / 2 + 0.5, b3, w])),
    ),
};

function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[piv]![c]!)) piv = r;
    if (Math.abs(m[piv]![c]!) < 1e-300) return null;
    [m[c], m[piv]] = [m[piv]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const k = m[r]![c]! / m[c]![c]!;
      for (let k2 = c; k2 <= n; k2++) m[r]![k2]! -= k * m[c]![k2]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x.every(Number.isFinite) ? x : null;
}

function sse(fam: Family, x: readonly number[], y: readonly number[], p: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (y[i]! - fam.f(x[i]!, p)) ** 2;
  return s;
}

function levenbergMarquardt(fam: Family, x: readonly number[], y: readonly number[], start: number[]): { p: number[]; sse: number } {
  let p = [...start];
  let cost = sse(fam, x, y, p);
  let lambda = 1e-3;
  const g = new Array<number>(fam.n).fill(0);
  for (let iter = 0; iter < 500; iter++) {
    const jtj = Array.from({ length: fam.n }, () => new Array<number>(fam.n).fill(0));
    const jtr = new Array<number>(fam.n).fill(0);
    for (let i = 0; i < x.length; i++) {
      fam.grad(x[i]!, p, g);
      const r = y[i]! - fam.f(x[i]!, p);
      for (let a = 0; a < fam.n; a++) {
        jtr[a]! += g[a]! * r;
        for (let b = 0; b <= a; b++) jtj[a]![b]! += g[a]! * g[b]!;
      }
    }
    for (let a = 0; a < fam.n; a++) for (let b = 0; b < a; b++) jtj[b]![a] = jtj[a]![b]!;
    let improved = false;
    while (lambda < 1e12) {
      const damped = jtj.map((row, a) => row.map((v, b) => (a === b ? v + lambda * (v || 1e-12) : v)));
      const step = solve(damped, jtr);
      if (step) {
        const next = p.map((v, k) => v + step[k]!);
        const nextCost = sse(fam, x, y, next);
        if (Number.isFinite(nextCost) && nextCost < cost) {
          const gain = cost - nextCost;
          p = next;
          cost = nextCost;
          lambda = Math.max(lambda / 10, 1e-12);
          improved = true;
          if (gain <= 1e-12 * (cost + 1e-12)) return { p, sse: cost };
          break;
        }
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  return { p, sse: cost };
}

export interface LogisticFit {
  kind: LogisticKind;
  /** Maps an objective score to the subjective scale. */
  map(x: number): number;
  fitted: number[];
}

/**
 * Fits `y ≈ f(x)` with the 4- or 5-parameter logistic. Both sides are standardised first (the families are closed
 * under affine changes of x and y, so the optimum is the same and the fit is well conditioned); several starts, best kept.
 */
export function fitLogistic(x: readonly number[], y: readonly number[], kind: LogisticKind = 5): LogisticFit {
  const fam = kind === 5 ? FIVE : FOUR;
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  const sx = Math.sqrt(x.reduce((s, v) => s + (v - mx) ** 2, 0) / x.length) || 1;
  const sy = Math.sqrt(y.reduce((s, v) => s + (v - my) ** 2, 0) / y.length) || 1;
  const xs = x.map((v) => (v - mx) / sx);
  const ys = y.map((v) => (v - my) / sy);
  let cov = 0;
  for (let i = 0; i < xs.length; i++) cov += xs[i]! * ys[i]!;
  const sign = cov >= 0 ? 1 : -1;
  const yRange = Math.max(...ys) - Math.min(...ys) || 1;
  let best: { p: number[]; sse: number } | null = null;
  for (const start of fam.starts(sign, yRange)) {
    const r = levenbergMarquardt(fam, xs, ys, start);
    if (!best || r.sse < best.sse) best = r;
  }
  const p = best!.p;
  const map = (v: number) => fam.f((v - mx) / sx, p) * sy + my;
  return { kind, map, fitted: x.map(map) };
}
