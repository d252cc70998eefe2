// A rater's presentation order as a seeded permutation of 0..n-1 that is computed per position in O(1) (and inverted), so no study-sized list is ever built or stored per rater.

/** 32-bit mix (the murmur3 finaliser). */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const ROUNDS = 6;

/**
 * A bijection of [0, n) chosen by `seed`: a balanced Feistel network on the smallest power of four ≥ n, with cycle
 * walking (apply again until the value falls inside [0, n); fewer than four steps are expected since n > size / 4).
 */
export function seededPermutation(n: number, seed: number) {
  if (!Number.isInteger(n) || n < 0) throw new Error(`permutation size must be a whole number, got ${n}`);
  let halfBits = 1;
  while (4 ** halfBits < n) halfBits++;
  const mask = (1 << halfBits) - 1;
  const keys = Array.from({ length: ROUNDS }, (_, r) => mix((seed >>> 0) ^ mix(r + 0x9e3779b9)));
  const round = (x: number, r: number) => mix(x ^ keys[r]!) & mask;
  const forward = (x: number): number => {
    let l = x >>> halfBits;
    let rr = x & mask;
    for (let r = 0; r < ROUNDS; r++) [l, rr] = [rr, l ^ round(rr, r)];
    return (l << halfBits) | rr;
  };
  const backward = (y: number): number => {
    let l = y >>> halfBits;
    let rr = y & mask;
    for (let r = ROUNDS - 1; r >= 0; r--) [l, rr] = [rr ^ round(l, r), l];
    return (l << halfBits) | rr;
  };
  const walk = (x: number, step: (v: number) => number) => {
    let v = step(x);
    while (v >= n) v = step(v);
    return v;
  };
  return {
    size: n,
    /** The rank shown at position `k` of this order. */
    at: (k: number): number => walk(k, forward),
    /** The position at which `rank` is shown. */
    positionOf: (rank: number): number => walk(rank, backward),
  };
}
