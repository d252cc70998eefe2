// Burst grouping: capture-time gap and dHash likeness join neighbours; the best by score and sharpness; RAW+JPEG pairing.
import { describe, expect, it } from 'vitest';
import { dhashOfPixels } from '../../../src-main/photo/dhash';
import { bestOf, groupPhotos, hamming, type GroupInput } from '../../../src-main/photo/grouping';
import { pairRawFiles } from '../../../src-main/photo/raw-pairs';

const p = (id: number, time: number | null, hash: bigint | null, score: number | null = null, sharpness: number | null = null): GroupInput => ({ id, time, hash, score, sharpness, name: `IMG_${id}` });
const T = { gapSeconds: 2, maxDistance: 6 };

describe('groupPhotos', () => {
  it('joins frames taken within the gap and alike; a time gap or a different picture starts a new group', () => {
    const a = 0xf0f0f0f0f0f0f0f0n;
    const groups = groupPhotos([p(1, 0, a), p(2, 500, a ^ 1n), p(3, 1000, a ^ 3n), p(4, 10_000, a), p(5, 10_400, ~a & 0xffffffffffffffffn), p(6, 10_800, ~a & 0xffffffffffffffffn)], T);
    expect(groups.map((g) => g.ids)).toEqual([[1, 2, 3], [5, 6]]);
  });
  it('orders by capture time, and without times groups alike neighbours by name', () => {
    const a = 0x0123456789abcdefn;
    expect(groupPhotos([p(3, 1000, a), p(1, 0, a), p(2, 60_000, a)], T).map((g) => g.ids)).toEqual([[1, 3]]);
    expect(groupPhotos([p(1, null, a), p(2, null, a ^ 7n), p(3, null, 0n)], T).map((g) => g.ids)).toEqual([[1, 2]]);
  });
  it('picks the best by mean rank of score and sharpness', () => {
    expect(bestOf([p(1, 0, 0n, 0.6, 20), p(2, 0, 0n, 0.7, 80), p(3, 0, 0n, 0.8, 10)])).toBe(2);
    expect(bestOf([p(1, 0, 0n, null, 20), p(2, 0, 0n, null, 90)])).toBe(2);
    expect(bestOf([p(1, 0, 0n), p(2, 0, 0n)])).toBe(1);
  });
  it('counts differing bits, and hashes 9x8 grey pixels left-brighter', () => {
    expect(hamming(0b1011n, 0b0001n)).toBe(2);
    const ramp = Buffer.from(Array.from({ length: 72 }, (_, i) => 255 - (i % 9) * 20));
    expect(dhashOfPixels(ramp)).toBe(0xffffffffffffffffn);
  });
});

describe('pairRawFiles', () => {
  it('lists a RAW+JPEG pair as the JPEG with its RAW, and a RAW alone as itself', () => {
    const out = pairRawFiles(['/s/IMG_1.CR2', '/s/IMG_1.JPG', '/s/IMG_2.nef', '/s/other/IMG_1.jpg', '/s/a.png']);
    expect(out.files).toEqual(['/s/IMG_1.JPG', '/s/IMG_2.nef', '/s/other/IMG_1.jpg', '/s/a.png']);
    expect([...out.rawOf]).toEqual([['/s/IMG_1.JPG', '/s/IMG_1.CR2']]);
  });
});
