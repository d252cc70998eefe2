// A whole-image score is exactly the mean of its crops' scores: the shipped HyperIQA model on a demo photo, 11 grid
// crops (more than one forward chunk), each crop also scored alone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { isPatchBatch, loadScorer, SCORE_CHUNK, type Scorer } from '../../../src-main/iqa/score/scorer';
import { REPO_ROOT } from '../../helpers/serve-process';

let scorer: Scorer;
beforeAll(async () => {
  await initBackend('wasm');
  scorer = await loadScorer({ model: 'hyperiqa' });
}, 120_000);
afterAll(() => scorer?.dispose());

describe('scoring averages crops', () => {
  it('gives the mean of the per-crop scores, over several forward chunks', async () => {
    const batch = await scorer.prepare(join(REPO_ROOT, 'resources/demo/bee.jpg'), { kind: 'grid', count: 11 });
    if (!isPatchBatch(batch)) throw new Error('HyperIQA should prepare crops');
    expect(batch.count).toBe(11);
    expect(batch.count).toBeGreaterThan(SCORE_CHUNK);
    const size = batch.patch * batch.patch * 3;
    const perCrop: number[] = [];
    for (let k = 0; k < batch.count; k++) {
      perCrop.push((await scorer.predict({ ...batch, count: 1, data: batch.data.subarray(k * size, (k + 1) * size) })).score);
    }
    // The crops differ, so a wrong divisor or a dropped chunk would show.
    expect(Math.max(...perCrop) - Math.min(...perCrop)).toBeGreaterThan(1e-3);
    const whole = await scorer.predict(batch);
    expect(whole.crops).toBe(11);
    const mean = perCrop.reduce((a, b) => a + b, 0) / perCrop.length;
    expect(Math.abs(whole.score - mean)).toBeLessThan(1e-5);
  }, 120_000);
});
