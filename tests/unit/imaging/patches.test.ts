// Patch sampling: grid coverage and determinism, seeded random crops, pixel-exact extraction, normalisation, flips.
import sharp from 'sharp';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src-main/util/random';
import { IMAGENET_MEAN, IMAGENET_STD, extractPatches, randomCrops, uniformGrid } from '../../../src-main/imaging/patches';
import { tempDir } from '../../helpers/temp';

const dir = tempDir('iqa-patches-');
const W = 40;
const H = 30;
// Pixel (x, y) has R = x, G = y, B = 7: every patch's content is predictable.
const raw = Buffer.alloc(W * H * 3);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) raw.set([x, y, 7], (y * W + x) * 3);
const file = join(dir, 'coords.png');
await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).png().toFile(file);

describe('uniformGrid', () => {
  it('covers the image corner to corner, in row-major order', () => {
    const g = uniformGrid(512, 384, 224, 25);
    expect(g).toHaveLength(25);
    expect(g[0]).toEqual({ x: 0, y: 0 });
    expect(g[24]).toEqual({ x: 288, y: 160 });
    expect(new Set(g.map((p) => `${p.x},${p.y}`)).size).toBe(25);
    for (const p of g) expect(p.x + 224 <= 512 && p.y + 224 <= 384).toBe(true);
  });
  it('follows the aspect ratio and centres a single crop', () => {
    const wide = uniformGrid(1000, 250, 200, 8);
    expect(new Set(wide.map((p) => p.x)).size).toBeGreaterThan(new Set(wide.map((p) => p.y)).size);
    expect(uniformGrid(300, 300, 100, 1)).toEqual([{ x: 100, y: 100 }]);
  });
  it('refuses a patch larger than the image', () => {
    expect(() => uniformGrid(100, 80, 224, 4)).toThrow(/does not fit a 100x80 image/);
  });
});

describe('randomCrops', () => {
  it('is repeatable for a seed and stays inside the image', () => {
    const a = randomCrops(512, 384, 224, 50, seededRandom(3));
    expect(a).toEqual(randomCrops(512, 384, 224, 50, seededRandom(3)));
    expect(a).not.toEqual(randomCrops(512, 384, 224, 50, seededRandom(4)));
    for (const p of a) expect(p.x >= 0 && p.x <= 288 && p.y >= 0 && p.y <= 160).toBe(true);
  });
});

describe('extractPatches', () => {
  it('cuts pixel-exact NHWC patches scaled to [0,1]', async () => {
    const batch = await extractPatches(file, { patch: 4, positions: () => [{ x: 10, y: 5 }, { x: 36, y: 26 }] });
    expect(batch.count).toBe(2);
    expect(batch.data).toHaveLength(2 * 4 * 4 * 3);
    expect([...batch.data.subarray(0, 3)].map((v) => Math.round(v * 255))).toEqual([10, 5, 7]);
    const last = batch.data.subarray(batch.data.length - 3);
    expect([...last].map((v) => Math.round(v * 255))).toEqual([39, 29, 7]);
  });
  it('normalises with the ImageNet mean and std', async () => {
    const batch = await extractPatches(file, { patch: 2, imagenet: true, positions: () => [{ x: 0, y: 0 }] });
    expect(batch.data[2]).toBeCloseTo((7 / 255 - IMAGENET_MEAN[2]) / IMAGENET_STD[2], 6);
  });
  it('mirrors patches when asked', async () => {
    const batch = await extractPatches(file, { patch: 4, positions: () => [{ x: 10, y: 5 }], flip: () => true });
    expect(Math.round(batch.data[0]! * 255)).toBe(13);
  });
  it('cuts the same floats from a file path (read once into memory) as from its bytes, for JPEG and BMP alike', async () => {
    const jpeg = join(dir, 'coords.jpg');
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 80 }).toFile(jpeg);
    const bmp = join(dir, 'coords.bmp');
    const header = Buffer.alloc(54);
    const row = W * 3 + ((4 - ((W * 3) % 4)) % 4);
    header.write('BM', 0);
    header.writeUInt32LE(54 + row * H, 2);
    header.writeUInt32LE(54, 10);
    header.writeUInt32LE(40, 14);
    header.writeInt32LE(W, 18);
    header.writeInt32LE(H, 22);
    header.writeUInt16LE(1, 26);
    header.writeUInt16LE(24, 28);
    const pixels = Buffer.alloc(row * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) pixels.set([7, H - 1 - y, x], y * row + x * 3); // BGR, bottom-up
    writeFileSync(bmp, Buffer.concat([header, pixels]));
    const opts = { patch: 8, imagenet: true, positions: (w: number, h: number) => uniformGrid(w, h, 8, 4) };
    for (const f of [jpeg, bmp, file]) {
      const fromPath = await extractPatches(f, opts);
      const fromBytes = await extractPatches(readFileSync(f), opts);
      expect(Array.from(fromPath.data)).toEqual(Array.from(fromBytes.data));
    }
    const bmpCut = await extractPatches(bmp, { patch: 4, positions: () => [{ x: 10, y: 5 }] });
    expect([...bmpCut.data.subarray(0, 3)].map((v) => Math.round(v * 255))).toEqual([10, 5, 7]);
  });
  it('names the file when it is empty or not an image', async () => {
    const empty = join(dir, 'empty.jpg');
    writeFileSync(empty, '');
    await expect(extractPatches(empty, { patch: 4, positions: () => [{ x: 0, y: 0 }] })).rejects.toThrow(/empty\.jpg.*empty file/);
    const text = join(dir, 'notes.jpg');
    writeFileSync(text, 'not a photo');
    await expect(extractPatches(text, { patch: 4, positions: () => [{ x: 0, y: 0 }] })).rejects.toThrow(/notes\.jpg: not an image/);
  });
  it('resizes first when asked, and positions refer to the resized image', async () => {
    const batch = await extractPatches(file, { patch: 8, resize: { width: 20, height: 15 }, positions: (w, h) => uniformGrid(w, h, 8, 4) });
    expect([batch.width, batch.height]).toEqual([20, 15]);
    expect(batch.positions.at(-1)).toEqual({ x: 12, y: 7 });
  });
});

describe('extractPatches on an EXIF-rotated photo', () => {
  it('places the crops on the upright image (size from the one header read) as on the same photo stored upright', async () => {
    const W0 = 48;
    const H0 = 24;
    const px = Buffer.alloc(W0 * H0 * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 251;
    const rotated = join(dir, 'exif6.png');
    await sharp(px, { raw: { width: W0, height: H0, channels: 3 } }).withMetadata({ orientation: 6 }).png().toFile(rotated);
    const upright = join(dir, 'upright.png');
    await sharp(rotated).rotate().png().toFile(upright);
    const seen: number[][] = [];
    const grid = (w: number, h: number) => (seen.push([w, h]), uniformGrid(w, h, 8, 6));
    const a = await extractPatches(rotated, { patch: 8, positions: grid });
    const b = await extractPatches(upright, { patch: 8, positions: grid });
    expect(seen).toEqual([[24, 48], [24, 48]]);
    expect([a.width, a.height]).toEqual([24, 48]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
});
