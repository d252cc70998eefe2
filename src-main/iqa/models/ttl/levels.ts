// TTL-IQA quality levels (Yang, Li & Liu, TMM 2021, §IV-B eq. 5-7, Table III): equal-count levels from scores, and the map between levels and scores.

/**
 * Level 1..K of each sample from its normalised target (1 = best): sort best first and cut into K equal-count groups
 * (eq. 5-7's tertiles for K = 3). With `groups`, each distortion type is divided on its own (Table III). Ties keep the
 * input order, so the division is deterministic.
 */
export function assignLevels(targets: readonly number[], levels: number, groups?: readonly (string | null | undefined)[] | null): number[] {
  if (!Number.isInteger(levels) || levels < 2) throw new Error(`levels must be an integer of at least 2, got ${levels}`);
  const out = new Array<number>(targets.length).fill(0);
  const byGroup = new Map<string, number[]>();
  targets.forEach((_, i) => {
    const key = groups ? String(groups[i] ?? '') : '';
    const list = byGroup.get(key) ?? [];
    list.push(i);
    byGroup.set(key, list);
  });
  for (const members of byGroup.values()) {
    const order = [...members].sort((a, b) => targets[b]! - targets[a]! || a - b);
    const n = order.length;
    order.forEach((sample, rank) => {
      out[sample] = Math.min(levels, Math.floor((rank * levels) / n) + 1);
    });
  }
  return out;
}

/** The normalised score a level stands for: level 1 → 1 (best), level K → 0 (worst), evenly spaced. */
export function levelToTarget(level: number, levels: number): number {
  return 1 - (level - 1) / (levels - 1);
}

/** The nearest level (1..K) of a normalised score. */
export function targetToLevel(target: number, levels: number): number {
  const k = Math.round((1 - Math.min(1, Math.max(0, target))) * (levels - 1)) + 1;
  return Math.min(levels, Math.max(1, k));
}

/** Names the paper gives its three levels [P §IV-B]; other counts are numbered. */
export function levelName(level: number, levels: number): string {
  if (levels === 3) return ['High', 'Medium', 'Low'][level - 1]!;
  return `Level ${level}/${levels}`;
}
