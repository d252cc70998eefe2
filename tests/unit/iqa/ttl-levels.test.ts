// TTL-IQA quality levels (eq. 5-7, Table III): equal-count division best-first, per distortion type, ties, and the level ↔ score map.
import { describe, expect, it } from 'vitest';
import { assignLevels, levelName, levelToTarget, targetToLevel } from '../../../src-main/iqa/models/ttl/levels';

describe('assignLevels', () => {
  it('cuts sorted scores into equal-count tertiles, best first', () => {
    const targets = [0.1, 0.9, 0.5, 0.3, 0.7, 0.2, 0.8, 0.6, 0.4];
    expect(assignLevels(targets, 3)).toEqual([3, 1, 2, 3, 1, 3, 1, 2, 2]);
  });

  it('puts the remainder in the lower levels as eq. 5-7 do with floor(N/3) boundaries', () => {
    const levels = assignLevels([1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1], 3);
    expect([1, 2, 3].map((k) => levels.filter((l) => l === k).length)).toEqual([4, 3, 3]);
  });

  it('divides each distortion type on its own (Table III)', () => {
    const targets = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1];
    const groups = ['jpeg', 'jpeg', 'jpeg', 'blur', 'blur', 'blur'];
    expect(assignLevels(targets, 3, groups)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(assignLevels(targets, 3)).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('breaks ties by input order, so the division is deterministic', () => {
    expect(assignLevels([0.5, 0.5, 0.5, 0.5], 2)).toEqual([1, 1, 2, 2]);
  });

  it('refuses fewer than two levels', () => {
    expect(() => assignLevels([0.1, 0.2], 1)).toThrow(/at least 2/);
  });
});

describe('levels and scores', () => {
  it('maps level 1 to the best score and level K to the worst, and back', () => {
    expect([1, 2, 3].map((k) => levelToTarget(k, 3))).toEqual([1, 0.5, 0]);
    for (const K of [2, 3, 5]) for (let k = 1; k <= K; k++) expect(targetToLevel(levelToTarget(k, K), K)).toBe(k);
    expect(targetToLevel(0.8, 3)).toBe(1);
    expect(targetToLevel(-3, 3)).toBe(3);
  });

  it("names the paper's three levels", () => {
    expect([1, 2, 3].map((k) => levelName(k, 3))).toEqual(['High', 'Medium', 'Low']);
    expect(levelName(2, 5)).toBe('Level 2/5');
  });
});
