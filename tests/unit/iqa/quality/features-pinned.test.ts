// The default model's features, measures and sharpness map pinned on fixed photos, so speed work cannot move what the shipped model.json reads.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../../src-main/app/paths';
import { decodeForAnalysis, FEATURE_NAMES, featuresOf } from '../../../../src-main/iqa/quality/features';
import { seededRandom } from '../../../../src-main/util/random';

/** Written by `UPDATE_PINNED_FEATURES=1 npx vitest run tests/unit/iqa/quality/features-pinned.test.ts` (on purpose only: a change of a feature's definition). */
const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'quality-features', 'pinned.json');
const UPDATE = process.env.UPDATE_PINNED_FEATURES === '1';

interface Image {
  width: number;
  height: number;
  data: Uint8Array;
}

interface PinnedCase {
  name: string;
  /** sha256 of the decoded pixels (demo photos) or of the built input. */
  pixels: string;
  /** By FEATURE_NAMES at the time of pinning; null for NaN. */
  features: Record<string, number | null>;
  measures: Record<string, number>;
  map?: { cols: number; rows: number; values: (number | null)[] };
}

const sha = (a: Uint8Array) => createHash('sha256').update(a).digest('hex');
const toJson = (v: number) => (Number.isNaN(v) ? null : v);
const DEMO = ['alpaca', 'bee', 'butterfly', 'calf', 'cheetah', 'crab'];

async function viaSharp(img: Image, op: (s: Sharp) => Sharp): Promise<Image> {
  const raw = { width: img.width, height: img.height, channels: 3 as const };
  const encoded = await op(sharp(Buffer.from(img.data), { raw })).toBuffer();
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function mapPixels(img: Image, f: (v: number, random: () => number) => number, seed: number): Image {
  const random = seededRandom(seed);
  return { ...img, data: img.data.map((v) => Math.max(0, Math.min(255, Math.round(f(v, random))))) };
}

function crop(img: Image, w: number, h: number): Image {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) data.set(img.data.subarray(y * img.width * 3, (y * img.width + w) * 3), y * w * 3);
  return { width: w, height: h, data };
}

/** The inputs: the demo photos as decoded, then variants of one (codecs, blur, noise, tone, odd size, tiny and flat). */
async function inputs(): Promise<{ name: string; img: Image; map: boolean }[]> {
  const out: { name: string; img: Image; map: boolean }[] = [];
  for (const d of DEMO) out.push({ name: d, img: await decodeForAnalysis(join(resourcesDir(), 'demo', `${d}.jpg`)), map: true });
  const base = out.find((c) => c.name === 'cheetah')!.img;
  out.push({ name: 'cheetah jpeg q12', img: await viaSharp(base, (s) => s.jpeg({ quality: 12 })), map: false });
  out.push({ name: 'cheetah webp q8', img: await viaSharp(base, (s) => s.webp({ quality: 8 })), map: false });
  out.push({ name: 'cheetah blur 2.5', img: await viaSharp(base, (s) => s.blur(2.5).png()), map: false });
  out.push({ name: 'cheetah noise', img: mapPixels(base, (v, r) => v + 40 * (r() - 0.5), 3), map: false });
  out.push({ name: 'cheetah impulses', img: mapPixels(base, (v, r) => { const u = r(); return u < 0.02 ? 0 : u > 0.98 ? 255 : v; }, 4), map: false });
  out.push({ name: 'cheetah dark', img: mapPixels(base, (v) => 255 * (v / 255) ** 2.2, 5), map: false });
  out.push({ name: 'bee odd crop', img: crop(out.find((c) => c.name === 'bee')!.img, 397, 223), map: true });
  const tiny = new Uint8Array(40 * 20 * 3).fill(128);
  for (let i = 0; i < 40 * 5; i++) tiny.fill(255, 3 * i, 3 * i + 3);
  out.push({ name: 'tiny 40x20', img: { width: 40, height: 20, data: tiny }, map: true });
  out.push({ name: 'flat 64x64', img: { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(90) }, map: true });
  return out;
}

function pin(name: string, img: Image, withMap: boolean): PinnedCase {
  const { analysis, values } = featuresOf(img);
  const features: Record<string, number | null> = {};
  FEATURE_NAMES.forEach((n, i) => (features[n] = toJson(values[i]!)));
  return {
    name,
    pixels: sha(img.data),
    features,
    measures: { ...analysis.measures },
    ...(withMap ? { map: { cols: analysis.map.cols, rows: analysis.map.rows, values: [...analysis.map.values].map(toJson) } } : {}),
  };
}

/** Equal within 1e-9 relative (1e-12 absolute near zero); NaN only where NaN was pinned. */
function close(got: number, want: number | null): boolean {
  if (want === null) return Number.isNaN(got);
  return Math.abs(got - want) <= 1e-9 * Math.abs(want) + 1e-12;
}

describe('pinned quality features', { timeout: 180_000 }, async () => {
  const cases = await inputs();
  if (UPDATE) writeFileSync(FIXTURE, `${JSON.stringify({ note: 'features/measures/map of the default quality model on fixed inputs (features-pinned.test.ts)', cases: cases.map((c) => pin(c.name, c.img, c.map)) }, null, 1)}\n`);
  const pinned = existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: PinnedCase[] }).cases : [];

  it('has a pinned entry for every input, each input as pinned', () => {
    expect(pinned.map((p) => p.name)).toEqual(cases.map((c) => c.name));
    for (const c of cases) expect(sha(c.img.data), c.name).toBe(pinned.find((p) => p.name === c.name)!.pixels);
  });

  it('computes every pinned feature, measure and map tile as pinned (1e-9 relative)', () => {
    for (const c of cases) {
      const want = pinned.find((p) => p.name === c.name)!;
      const got = pin(c.name, c.img, c.map);
      for (const [n, v] of Object.entries(want.features)) {
        // A feature a later build dropped is the model file's business (model.ts refuses it), not this test's.
        if (!(n in got.features)) continue;
        expect(close(got.features[n] ?? NaN, v), `${c.name}: ${n} = ${got.features[n]} (pinned ${v})`).toBe(true);
      }
      for (const [n, v] of Object.entries(want.measures)) expect(close(got.measures[n]!, v), `${c.name}: measure ${n}`).toBe(true);
      if (want.map) {
        expect([got.map!.cols, got.map!.rows], c.name).toEqual([want.map.cols, want.map.rows]);
        want.map.values.forEach((v, t) => expect(close(got.map!.values[t] ?? NaN, v), `${c.name}: map tile ${t}`).toBe(true));
      }
    }
  });
});
