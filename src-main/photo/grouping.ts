// Bursts and near-duplicates: photos in capture order join the previous photo's group when taken within a time gap of it and alike by dHash; the best of a group by score and sharpness.

export interface GroupInput {
  id: number;
  /** Capture time, ms since epoch (any fixed zone); null when the photo has no EXIF time. */
  time: number | null;
  /** 64-bit difference hash; null when it could not be computed. */
  hash: bigint | null;
  /** Model score, higher is better (callers flip lower-is-better scales). */
  score: number | null;
  /** Sharpness 0..100. */
  sharpness: number | null;
  /** Name, the order when capture times are missing. */
  name: string;
}

export interface Group {
  /** Members in capture order. */
  ids: number[];
  best: number;
}

export interface GroupThresholds {
  gapSeconds: number;
  maxDistance: number;
}

/** Bits that differ between two 64-bit hashes. */
export function hamming(a: bigint, b: bigint): number {
  let x = a ^ b;
  let n = 0;
  while (x) {
    x &= x - 1n;
    n++;
  }
  return n;
}

/** Capture order: by time (photos without one after, by name), ties by name. */
export function captureOrder(photos: readonly GroupInput[]): GroupInput[] {
  return [...photos].sort((a, b) => {
    if (a.time !== null && b.time !== null && a.time !== b.time) return a.time - b.time;
    if ((a.time === null) !== (b.time === null)) return a.time === null ? 1 : -1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id;
  });
}

/**
 * Whether `b` continues `a`'s burst: alike (dHash within maxDistance) and, when both have a capture time, taken within
 * gapSeconds. Without times, likeness alone joins neighbours in name order (a scanned or stripped sequence).
 */
export function continues(a: GroupInput, b: GroupInput, t: GroupThresholds): boolean {
  if (a.hash === null || b.hash === null) return false;
  if (a.time !== null && b.time !== null && Math.abs(b.time - a.time) > t.gapSeconds * 1000) return false;
  return hamming(a.hash, b.hash) <= t.maxDistance;
}

/** Ranks in [0, 1] (1 best) of values, missing values last; ties share their mean rank. */
function ranks(values: (number | null)[]): number[] {
  const idx = values.map((v, i) => ({ v: v ?? -Infinity, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length).fill(0);
  for (let s = 0; s < idx.length; ) {
    let e = s;
    while (e + 1 < idx.length && idx[e + 1]!.v === idx[s]!.v) e++;
    const r = values.length > 1 ? (s + e) / 2 / (values.length - 1) : 1;
    for (let k = s; k <= e; k++) out[idx[k]!.i] = r;
    s = e + 1;
  }
  return out;
}

/** The best of a group: the highest mean rank of score and sharpness (either alone when the other is missing for all), first in capture order on a tie. */
export function bestOf(members: readonly GroupInput[]): number {
  const hasScore = members.some((m) => m.score !== null);
  const hasSharp = members.some((m) => m.sharpness !== null);
  const rs = ranks(members.map((m) => m.score));
  const rh = ranks(members.map((m) => m.sharpness));
  let best = 0;
  let bestValue = -Infinity;
  members.forEach((_, i) => {
    const parts = [hasScore ? rs[i]! : null, hasSharp ? rh[i]! : null].filter((v): v is number => v !== null);
    const v = parts.length ? parts.reduce((a, b) => a + b, 0) / parts.length : 0;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  });
  return members[best]!.id;
}

/** Groups of two or more photos, in capture order; photos alone are in no group. */
export function groupPhotos(photos: readonly GroupInput[], t: GroupThresholds): Group[] {
  const ordered = captureOrder(photos);
  const groups: Group[] = [];
  let run: GroupInput[] = [];
  const close = () => {
    if (run.length >= 2) groups.push({ ids: run.map((p) => p.id), best: bestOf(run) });
    run = [];
  };
  for (const p of ordered) {
    if (run.length && !continues(run[run.length - 1]!, p, t)) close();
    run.push(p);
  }
  close();
  return groups;
}
