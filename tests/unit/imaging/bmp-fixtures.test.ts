// BMP files written by an outside encoder (Pillow; tests/fixtures/bmp/make.py) decode to the pixels Pillow reads
// from them: 24-bit, 32-bit, 8-bit grey and 8-bit paletted; a 1-bit file is refused by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBmp, readBmpHeader } from '../../../src-main/imaging/bmp';
import { loadRgb } from '../../../src-main/imaging/raw-image';
import { REPO_ROOT } from '../../helpers/serve-process';

const DIR = join(REPO_ROOT, 'tests/fixtures/bmp');
interface Expected {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: number;
  headerSize: number;
  rgb: string;
}
const { files } = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as { files: Record<string, Expected> };
const decodable = Object.entries(files).filter(([, e]) => [8, 24, 32].includes(e.bitsPerPixel));

describe('BMP files from Pillow', () => {
  it('covers 24-bit, 32-bit, 8-bit grey and 8-bit paletted files', () => {
    expect(decodable.map(([name, e]) => [name, e.bitsPerPixel])).toEqual([
      ['rgb24.bmp', 24],
      ['rgba32.bmp', 32],
      ['gray8.bmp', 8],
      ['pal8.bmp', 8],
    ]);
  });

  it.each(decodable)('%s decodes to the pixels Pillow reads', async (name, e) => {
    const buf = readFileSync(join(DIR, name));
    expect(readBmpHeader(buf)).toEqual({ width: e.width, height: e.height, bitsPerPixel: e.bitsPerPixel });
    const img = decodeBmp(buf);
    expect([img.width, img.height]).toEqual([e.width, e.height]);
    expect(Buffer.from(img.data).toString('hex')).toBe(e.rgb);
    // The shared image pipeline takes the same path.
    expect(Buffer.from((await loadRgb(join(DIR, name))).data).toString('hex')).toBe(e.rgb);
  });

  it('refuses the 1-bit file, saying why', () => {
    expect(files['mono1.bmp']!.bitsPerPixel).toBe(1);
    expect(() => decodeBmp(readFileSync(join(DIR, 'mono1.bmp')))).toThrow(/1-bit BMP is not supported/);
  });
});
