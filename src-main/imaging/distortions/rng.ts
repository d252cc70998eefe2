// Seeded pseudo-random numbers for distortions: mulberry32 uniforms, Box-Muller normals and string-to-seed hashing.
import { seededRandom } from '../../util/random';

/** A deterministic random source: the same seed always gives the same sequence. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (mean 0, variance 1). */
  normal(): number;
  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
}

/** Uniforms from the shared mulberry32 generator (util/random), normals by Box-Muller: plenty for image noise, identical on every platform. */
export function createRng(seed: number): Rng {
  const next = seededRandom(seed);
  let spare: number | null = null;
  return {
    next,
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    int(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
  };
}

/** A 32-bit seed from any mix of numbers and strings (FNV-1a over their text), e.g. seedFrom(1, 'bee', 'jpeg'). */
export function seedFrom(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  const text = parts.map(String).join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // One round of mixing so that nearby inputs give unrelated seeds.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}
