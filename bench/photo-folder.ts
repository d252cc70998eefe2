// A folder of realistic photos for the library benchmarks: distinct 1-3 MP JPEGs cut from the photo pool (scripts/fetch-photo-pool.sh) or the demo photos.
import sharp from 'sharp';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resourcesDir } from '../src-main/app/paths';
import { seededRandom } from '../src-main/util/random';
import { mapLimit } from '../src-main/util/map-limit';

const IMAGE = /\.(jpe?g|png|webp)$/i;
/** Bump when the way photos are made changes, so a cached folder is not reused. */
const VERSION = 1;

export interface PhotoSources {
  kind: 'photo pool' | 'demo photos';
  dir: string;
  files: string[];
}

/**
 * The photo pool where scripts/fetch-photo-pool.sh left it (IQA_PHOTO_POOL, else .cache/photo-pool in the repo; the
 * folder itself or its pool/), else the six demo photos in resources/demo.
 */
export function photoSources(): PhotoSources {
  const repo = resolve(import.meta.dirname, '..');
  const roots = [process.env.IQA_PHOTO_POOL, join(repo, '.cache', 'photo-pool')];
  for (const root of roots) {
    if (!root) continue;
    for (const dir of [join(root, 'pool'), root]) {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      const files = readdirSync(dir).filter((f) => IMAGE.test(f)).sort();
      if (files.length >= 20) return { kind: 'photo pool', dir, files: files.map((f) => join(dir, f)) };
    }
  }
  const dir = join(resourcesDir(), 'demo');
  return { kind: 'demo photos', dir, files: readdirSync(dir).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => join(dir, f)) };
}

export interface PhotoFolder {
  /** The folder to add: day subfolders of IMG_nnnn.jpg, hard links into a cache shared between runs. */
  root: string;
  files: string[];
  source: PhotoSources['kind'];
  sources: number;
  /** Mean megapixels and mean file size of the JPEGs. */
  megapixels: number;
  meanBytes: number;
  /** Seconds spent making JPEGs (0 when the cache had them). */
  madeSeconds: number;
}

const ASPECTS = [3 / 2, 3 / 2, 4 / 3, 16 / 9, 2 / 3, 3 / 4, 1];

/** Photo i: a seeded crop of one source (55-100% of its area), resized to 1-3 MP, sometimes mirrored or brightened, JPEG q 80-95. */
async function makePhoto(sources: string[], i: number, out: string): Promise<{ width: number; height: number; bytes: number }> {
  const random = seededRandom(1000 + i);
  const src = sources[i % sources.length]!;
  const meta = await sharp(src).metadata();
  const sw = meta.width!;
  const sh = meta.height!;
  const aspect = ASPECTS[Math.floor(random() * ASPECTS.length)]!;
  const area = 0.55 + 0.45 * random();
  let cw = Math.sqrt(sw * sh * area * aspect);
  let ch = cw / aspect;
  const fit = Math.min(1, sw / cw, sh / ch);
  cw = Math.max(64, Math.floor(cw * fit));
  ch = Math.max(64, Math.floor(ch * fit));
  const left = Math.floor(random() * (sw - cw + 1));
  const top = Math.floor(random() * (sh - ch + 1));
  const mp = 1 + 2 * random();
  const width = Math.round(Math.sqrt((mp * 1e6 * cw) / ch));
  const height = Math.round((width * ch) / cw);
  let img = sharp(src).extract({ left, top, width: cw, height: ch }).resize(width, height, { kernel: 'lanczos3' });
  if (random() < 0.3) img = img.flop();
  if (random() < 0.3) img = img.modulate({ brightness: 0.8 + 0.4 * random(), saturation: 0.8 + 0.4 * random() });
  const info = await img.jpeg({ quality: 80 + Math.floor(16 * random()), chromaSubsampling: '4:2:0' }).toFile(out);
  return { width: info.width, height: info.height, bytes: info.size };
}

/**
 * Builds (once, cached under <tmp>/iqa-bench-photos-…) n photos and links them into `dest`: sidecars written there
 * never reach the cache. Names follow a camera: <dest>/2024-06-0d/IMG_nnnn.jpg, 250 photos a day.
 */
export async function buildPhotoFolder(dest: string, n: number, log: (msg: string) => void = () => {}): Promise<PhotoFolder> {
  const sources = photoSources();
  const cache = join(tmpdir(), `iqa-bench-photos-v${VERSION}-${sources.kind === 'photo pool' ? 'pool' : 'demo'}${sources.files.length}-${n}`);
  const rel = (i: number) => join(`2024-06-${String(1 + Math.floor(i / 250)).padStart(2, '0')}`, `IMG_${String(i + 1).padStart(4, '0')}.jpg`);
  let madeSeconds = 0;
  let sizes: { width: number; height: number; bytes: number }[];
  const manifest = join(cache, 'manifest.json');
  if (existsSync(manifest)) {
    sizes = (JSON.parse(readFileSync(manifest, 'utf8')) as { sizes: typeof sizes }).sizes;
  } else {
    log(`  making ${n} JPEGs of 1-3 MP from ${sources.files.length} ${sources.kind} (${sources.dir})…`);
    const t0 = performance.now();
    const building = `${cache}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    for (let d = 0; d * 250 < n; d++) mkdirSync(join(building, rel(d * 250), '..'), { recursive: true });
    sizes = await mapLimit(Array.from({ length: n }, (_, i) => i), 4, (i) => makePhoto(sources.files, i, join(building, rel(i))));
    writeFileSync(join(building, 'manifest.json'), JSON.stringify({ version: VERSION, source: sources.dir, sizes }));
    rmSync(cache, { recursive: true, force: true });
    renameSync(building, cache);
    madeSeconds = (performance.now() - t0) / 1000;
  }
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const file = join(dest, rel(i));
    if (i % 250 === 0) mkdirSync(join(file, '..'), { recursive: true });
    try {
      linkSync(join(cache, rel(i)), file);
    } catch {
      copyFileSync(join(cache, rel(i)), file);
    }
    files.push(file);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    root: dest,
    files,
    source: sources.kind,
    sources: sources.files.length,
    megapixels: mean(sizes.map((s) => (s.width * s.height) / 1e6)),
    meanBytes: mean(sizes.map((s) => s.bytes)),
    madeSeconds,
  };
}
