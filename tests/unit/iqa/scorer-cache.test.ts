// The shared scorer cache: one load per checkpoint, least recently used disposed beyond the limit, one computation at a time, closed for good.
import { describe, expect, it } from 'vitest';
import type { Scorer } from '../../../src-main/iqa/score/scorer';
import { createScorerCache } from '../../../src-main/iqa/score/scorer-cache';

function fakeLoads() {
  const loads: string[] = [];
  const disposed: string[] = [];
  const load = async (checkpoint: string) => {
    loads.push(checkpoint);
    if (checkpoint === 'broken') throw new Error('no weights.json');
    return { modelId: checkpoint, dispose: () => disposed.push(checkpoint) } as unknown as Scorer;
  };
  return { loads, disposed, load };
}

describe('scorer cache', () => {
  it('loads a checkpoint once for every caller and drops the least recently used beyond the limit', async () => {
    const { loads, disposed, load } = fakeLoads();
    const cache = createScorerCache(2, load);
    const ids = await Promise.all(['a', 'a', 'b', 'a'].map((c) => cache.use(c, async (s) => s.modelId)));
    expect(ids).toEqual(['a', 'a', 'b', 'a']);
    expect(loads).toEqual(['a', 'b']);
    await cache.use('c', async () => null); // b is now the least recently used
    await Promise.resolve();
    expect(disposed).toEqual(['b']);
    expect(cache.loaded()).toEqual(['a', 'c']);
  });

  it('runs one computation at a time, in call order', async () => {
    const { load } = fakeLoads();
    const cache = createScorerCache(3, load);
    const log: string[] = [];
    const slow = cache.use('a', async () => {
      log.push('slow start');
      await new Promise((ok) => setTimeout(ok, 30));
      log.push('slow end');
    });
    const fast = cache.use('b', async () => void log.push('fast'));
    await Promise.all([slow, fast]);
    expect(log).toEqual(['slow start', 'slow end', 'fast']);
  });

  it('passes a failed load to its caller, forgets it, and keeps serving the others; fails after close', async () => {
    const { loads, disposed, load } = fakeLoads();
    const cache = createScorerCache(3, load);
    await expect(cache.use('broken', async () => 1)).rejects.toThrow(/no weights/);
    expect(await cache.use('a', async () => 2)).toBe(2);
    await expect(cache.use('broken', async () => 1)).rejects.toThrow(/no weights/);
    expect(loads.filter((l) => l === 'broken')).toHaveLength(2);
    cache.close();
    await Promise.resolve();
    expect(disposed).toEqual(['a']);
    await expect(cache.use('a', async () => 3)).rejects.toThrow(/shutting down/);
  });
});
