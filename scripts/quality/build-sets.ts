// Builds the default quality model's synthetic sets under .cache/quality/sets: `held-out` (validation, test, out-of-distribution) or `train`.
import { join } from 'node:path';
import { ensureSet, HELD_OUT_SETS, TRAIN_SETS } from '../../src-main/iqa/quality/sets';

const which = process.argv[2] ?? 'held-out';
const repo = process.cwd();
const folders = { pool: join(repo, '.cache', 'photo-pool', 'pool'), ood: join(repo, '.cache', 'ood-photos', 'photos'), root: join(repo, '.cache', 'quality', 'sets') };
const specs = which === 'train' ? TRAIN_SETS : which === 'held-out' ? HELD_OUT_SETS.filter((s) => s.part !== 'ood' || process.argv.includes('--ood')) : [...HELD_OUT_SETS, ...TRAIN_SETS].filter((s) => s.name === which);
if (!specs.length) throw new Error(`unknown set "${which}"`);
for (const spec of specs) {
  const t = Date.now();
  const dir = await ensureSet(spec, folders, (m) => console.log(m));
  console.log(`${spec.name} ready in ${dir} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
}
