// Appends round 4's features (edge steepness) to feature files cached before round 4, decoding each image again but computing only the new entries.
// Usage: npx tsx scripts/quality/add-features.ts SET...   (a file that already has them is left alone; pristine-* files are
// rebuilt by pristine-features.ts instead: their crops are not kept)
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeForAnalysis, FEATURE_NAMES, ROUND4_NAMES, round4Features } from '../../src-main/iqa/quality/features';
import { lumaChroma } from '../../src-main/iqa/quality/planes';

const root = join(process.cwd(), '.cache', 'quality', 'features');
const before = FEATURE_NAMES.slice(0, FEATURE_NAMES.length - ROUND4_NAMES.length);
for (const name of process.argv.slice(2)) {
  const file = join(root, `${name}.json`);
  if (!existsSync(file)) throw new Error(`${file} is missing (scripts/quality/extract-features.ts)`);
  const cached = JSON.parse(await readFile(file, 'utf8')) as { names: string[]; features: Record<string, number[]> };
  if (cached.names.join() === FEATURE_NAMES.join()) {
    console.log(`${name}: already has round 4's features`);
    continue;
  }
  if (cached.names.join() !== before.join()) throw new Error(`${name}: computed with another feature list; rerun extract-features with FRESH=1`);
  const t0 = Date.now();
  for (const [path, v] of Object.entries(cached.features)) {
    const img = await decodeForAnalysis(path);
    v.push(...round4Features(lumaChroma(img.data, img.width, img.height).y));
  }
  await writeFile(file, JSON.stringify({ ...cached, names: FEATURE_NAMES }));
  console.log(`${name}: ${Object.keys(cached.features).length} images extended in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
