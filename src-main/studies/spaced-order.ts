// A rater's order with the gold and trapping items spaced evenly through the part they will rate (their quota), the test items in a seeded permutation between them; computed per position in O(log g), and inverted.
import { seededPermutation } from './order';

/**
 * Ranks 0..test-1 are test items, test..test+gold-1 gold (trapping) items. Within the first `quota` positions, `g`
 * gold items sit at positions ⌊(j+1)·quota/(g+1)⌋ (j = 0..g-1): never first, never side by side, one in every
 * quota/(g+1) items, as P.808 asks of trapping questions in every session. g is every gold item when the rater rates
 * the whole study, else at most quota/2 - 1 (so at least one test item between two gold items; more gold only where
 * there are too few test items to fill the quota).
 * Positions past the quota hold the remaining test items, then the remaining gold items.
 */
export function spacedGoldOrder(test: number, gold: number, quota: number, seed: number) {
  const n = test + gold;
  const q = Math.max(0, Math.min(quota, n));
  const cap = q >= 2 ? Math.max(1, Math.floor(q / 2) - 1) : 0;
  const g = q === n ? gold : Math.min(gold, Math.max(q - test, cap));
  const slots = Array.from({ length: g }, (_, j) => Math.floor(((j + 1) * q) / (g + 1)));
  const tests = seededPermutation(test, seed);
  const golds = seededPermutation(gold, seed ^ 0x2545f491);
  const shownTests = q - g;

  /** How many slots lie below position k (slots are strictly increasing). */
  const slotsBelow = (k: number) => {
    let lo = 0;
    let hi = g;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (slots[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  return {
    size: n,
    /** Where the gold items of the quota are shown. */
    goldPositions: slots as readonly number[],
    /** The rank shown at position `k`. */
    at(k: number): number {
      if (k < q) {
        const below = slotsBelow(k);
        if (below < g && slots[below] === k) return test + golds.at(below);
        return tests.at(k - below);
      }
      const i = k - q;
      return i < test - shownTests ? tests.at(shownTests + i) : test + golds.at(g + i - (test - shownTests));
    },
    /** The position at which `rank` is shown. */
    positionOf(rank: number): number {
      if (rank >= test) {
        const j = golds.positionOf(rank - test);
        return j < g ? slots[j]! : q + (test - shownTests) + (j - g);
      }
      const i = tests.positionOf(rank);
      if (i >= shownTests) return q + (i - shownTests);
      // The i-th position of the quota that is not a gold slot.
      let k = i;
      for (const s of slots) if (s <= k) k++;
      return k;
    },
  };
}
