// Feature vectors of undistorted training photos as a camera would hand them over: random crops at random sizes, saved as high-quality JPEG, analysed as the app does.
// Writes .cache/quality/features/pristine-train.json (label: the pseudo-MOS of a perfect copy). Usage: npx tsx scripts/quality/pristine-features.ts [--per-photo 4] [--seed 5] [--name pristine-train]
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../src-main/util/random';
import { decodeForAnalysis, FEATURE_NAMES, featuresOf } from '../../src-main/iqa/quality/features';
import { loadPoolSplit, sourceName } from '../../src-main/iqa/quality/pool-split';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const perPhoto = Number(arg('per-photo', '4'));
const seed = Number(arg('seed', '5'));
const pool = join(process.cwd(), '.cache', 'photo-pool', 'pool');
const out = join(process.cwd(), '.cache', 'quality', 'features', `${arg('name', 'pristine-train')}.json`);
const train = new Set((await loadPoolSplit()).train);
const photos = (await readdir(pool)).filter((f) => train.has(sourceName(f))).sort();
const tmp = await mkdtemp(join(tmpdir(), 'iqa-pristine-'));
const random = seededRandom(seed);
const feats: Record<string, number[]> = {};
for (const p of photos) {
  const src = join(pool, p);
  const { width: w = 0, height: h = 0 } = await sharp(src).metadata();
  for (let k = 0; k < perPhoto; k++) {
    // The pool photos carry upstream sharpening and WebP; downscaled at least 2x they serve as pristine.
    const frac = 0.45 + 0.55 * random();
    const cw = Math.round(w * frac);
    const ch = Math.round(h * frac);
    const left = Math.floor(random() * (w - cw + 1));
    const top = Math.floor(random() * (h - ch + 1));
    const long = Math.round(320 + random() * Math.min(Math.max(cw, ch) / 2 - 320, 700));
    const file = join(tmp, `${k}.jpg`);
    await sharp(src).extract({ left, top, width: cw, height: ch }).resize(long, long, { fit: 'inside' }).jpeg({ quality: 82 + Math.floor(random() * 16) }).toFile(file);
    feats[`${p}#${k}`] = [...featuresOf(await decodeForAnalysis(file)).values];
  }
}
await rm(tmp, { recursive: true, force: true });
await mkdir(join(out, '..'), { recursive: true });
await writeFile(out, JSON.stringify({ names: FEATURE_NAMES, features: feats, recipe: { perPhoto, seed } }));
console.log(`${Object.keys(feats).length} pristine variants of ${photos.length} training photos -> ${out}`);
