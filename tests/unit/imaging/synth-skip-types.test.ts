// A synthetic set built with skipTypes adds the types after another set's seeded pick: disjoint from it, and the same images a set of every type holds.
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../src-main/app/paths';
import { buildSyntheticSet, typesFor } from '../../../src-main/imaging/synth/build-synthetic';
import { DISTORTION_IDS } from '../../../src-main/imaging/distortions/index';
import { tempDir } from '../../helpers/temp';

describe('synthetic sets: skipTypes', { timeout: 180_000 }, () => {
  it('picks the next types of the same seeded shuffle, disjoint from the first pick', () => {
    for (const name of ['bee', 'cheetah', 'gc_sea_x']) {
      const first = typesFor(DISTORTION_IDS, 10, 1, name);
      const more = typesFor(DISTORTION_IDS, 6, 1, name, 10);
      expect(first).toHaveLength(10);
      expect(more).toHaveLength(6);
      expect(more.filter((t) => first.includes(t))).toEqual([]);
      expect(new Set([...first, ...more])).toEqual(new Set(typesFor(DISTORTION_IDS, 16, 1, name)));
    }
    // Past the end of the shuffle nothing is left.
    expect(typesFor(DISTORTION_IDS, 5, 1, 'bee', DISTORTION_IDS.length)).toEqual([]);
  });

  it('writes the images a set of every type would hold for those types', async () => {
    const src = tempDir('iqa-skip-src-');
    copyFileSync(join(resourcesDir(), 'demo', 'bee.jpg'), join(src, 'bee.jpg'));
    const types = ['white_noise', 'gaussian_blur', 'jpeg', 'darken'];
    const all = join(tempDir('iqa-skip-all-'), 'set');
    const more = join(tempDir('iqa-skip-more-'), 'set');
    await buildSyntheticSet({ sourceDir: src, outDir: all, maxSide: 192, distortions: types, levels: [1], seed: 4 });
    const b = await buildSyntheticSet({ sourceDir: src, outDir: more, maxSide: 192, distortions: types, levels: [1], perImage: 2, skipTypes: 2, seed: 4 });
    const expected = typesFor(types, 2, 4, 'bee', 2);
    expect(b.rows.map((r) => r.distortion).sort()).toEqual([...expected].sort());
    const files = readdirSync(join(more, 'dist'));
    expect(files).toHaveLength(2);
    for (const f of files) expect(readFileSync(join(more, 'dist', f)).equals(readFileSync(join(all, 'dist', f))), f).toBe(true);
  });
});
