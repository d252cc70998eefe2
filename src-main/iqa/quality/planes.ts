// Float image planes for the quality measures: luma and chroma from RGB, separable filters, 2x downsampling.

/** One channel, row-major. */
export interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

export const plane = (width: number, height: number, data = new Float32Array(width * height)): Plane => ({ width, height, data });

/** BT.601 luma and the two chroma differences (0..255 scale, chroma centred on 0) of interleaved RGB bytes. */
export function lumaChroma(rgb: Uint8Array, width: number, height: number): { y: Plane; cb: Plane; cr: Plane } {
  const n = width * height;
  const y = new Float32Array(n);
  const cb = new Float32Array(n);
  const cr = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const r = rgb[j]!;
    const g = rgb[j + 1]!;
    const b = rgb[j + 2]!;
    const l = 0.299 * r + 0.587 * g + 0.114 * b;
    y[i] = l;
    cb[i] = 0.564 * (b - l);
    cr[i] = 0.713 * (r - l);
  }
  return { y: plane(width, height, y), cb: plane(width, height, cb), cr: plane(width, height, cr) };
}

/** Normalised 1-D Gaussian taps of radius ceil(3 sigma). */
export function gaussianTaps(sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  return k;
}

/** Separable convolution with the same taps along x and y, edges replicated. */
export function filterSeparable(p: Plane, taps: Float32Array): Plane {
  const { width: w, height: h, data } = p;
  const r = (taps.length - 1) >> 1;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  // Interior pixels skip the edge clamps; every pixel sums its taps in the same order (k = -r..r).
  const x0 = Math.min(r, w);
  const x1 = Math.max(x0, w - r);
  const t9 = r === 4 ? taps : new Float32Array(9);
  const [t0, t1, t2, t3, t4, t5, t6, t7, t8] = [t9[0]!, t9[1]!, t9[2]!, t9[3]!, t9[4]!, t9[5]!, t9[6]!, t9[7]!, t9[8]!];
  const edge = (row: number, x: number) => {
    let s = 0;
    for (let k = -r; k <= r; k++) s += taps[k + r]! * data[row + (x + k < 0 ? 0 : x + k >= w ? w - 1 : x + k)]!;
    return s;
  };
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < x0; x++) tmp[row + x] = edge(row, x);
    if (r === 4) {
      // The 9 taps spelt out (BRISQUE's window): the same sums in the same order, without the loop.
      for (let x = x0; x < x1; x++) {
        const a = row + x - 4;
        tmp[row + x] = 0 + t0 * data[a]! + t1 * data[a + 1]! + t2 * data[a + 2]! + t3 * data[a + 3]! + t4 * data[a + 4]! + t5 * data[a + 5]! + t6 * data[a + 6]! + t7 * data[a + 7]! + t8 * data[a + 8]!;
      }
    } else {
      for (let x = x0; x < x1; x++) {
        let s = 0;
        const at = row + x - r;
        for (let k = 0; k <= 2 * r; k++) s += taps[k]! * data[at + k]!;
        tmp[row + x] = s;
      }
    }
    for (let x = x1; x < w; x++) tmp[row + x] = edge(row, x);
  }
  for (let y = 0; y < h; y++) {
    const interior = y >= r && y + r < h;
    if (interior && r === 4) {
      const a = (y - 4) * w;
      for (let x = 0; x < w; x++) {
        const b = a + x;
        out[y * w + x] = 0 + t0 * tmp[b]! + t1 * tmp[b + w]! + t2 * tmp[b + 2 * w]! + t3 * tmp[b + 3 * w]! + t4 * tmp[b + 4 * w]! + t5 * tmp[b + 5 * w]! + t6 * tmp[b + 6 * w]! + t7 * tmp[b + 7 * w]! + t8 * tmp[b + 8 * w]!;
      }
      continue;
    }
    for (let x = 0; x < w; x++) {
      let s = 0;
      if (interior) {
        const at = (y - r) * w + x;
        for (let k = 0; k <= 2 * r; k++) s += taps[k]! * tmp[at + k * w]!;
      } else {
        for (let k = -r; k <= r; k++) {
          const yy = y + k < 0 ? 0 : y + k >= h ? h - 1 : y + k;
          s += taps[k + r]! * tmp[yy * w + x]!;
        }
      }
      out[y * w + x] = s;
    }
  }
  return plane(w, h, out);
}

/** Mean of each 2x2 cell (odd last row or column dropped). */
export function half(p: Plane): Plane {
  const w = p.width >> 1;
  const h = p.height >> 1;
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const a = 2 * y * p.width;
    const b = a + p.width;
    for (let x = 0; x < w; x++) out[y * w + x] = 0.25 * (p.data[a + 2 * x]! + p.data[a + 2 * x + 1]! + p.data[b + 2 * x]! + p.data[b + 2 * x + 1]!);
  }
  return plane(w, h, out);
}

/** The value at fraction q (0..1) of the sorted values (nearest rank). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return a.length ? s / a.length : NaN;
}

/**
 * The indices of non-negative values in ascending order, ties by index (what a stable sort by value gives), sorted as
 * numbers without a comparator: each key packs the value's float32 bits (monotonic for values >= 0) above its index.
 */
export function ascendingOrder(values: Float32Array): number[] {
  const n = values.length;
  if (n >= 1 << 21) return Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = bits[i]! * (1 << 21) + i;
  keys.sort();
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = keys[i]! % (1 << 21);
  return order;
}

/** quantile(sorted, q) of unsorted finite values, found by selection instead of a sort; reorders `a`. */
export function quantileSelect(a: Float32Array, q: number): number {
  const n = a.length;
  if (!n) return NaN;
  const k = Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))));
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    // Hoare partition around the median of three: after it, a[lo..j] <= pivot <= a[i..hi], and between them = pivot.
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
