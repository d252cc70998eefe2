// Writing the rating into a JPEG and a DNG: exiftool reads it back, the JPEG is byte-identical outside its XMP segment, and the original is kept until confirmed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDng } from '../../../scripts/fixtures/dng';
import { resourcesDir } from '../../../src-main/app/paths';
import { endExifTool } from '../../../src-main/photo/exif';
import { backupOf, confirmIntoFile, readFromFile, restoreFromBackup, writeIntoFile } from '../../../src-main/photo/xmp-in-file';
import { tempDir } from '../../helpers/temp';

/** JPEG segments up to the scan, without the XMP APP1 one, then the rest of the file: what must not change. */
function withoutXmp(buf: Buffer): Buffer {
  const parts: Buffer[] = [buf.subarray(0, 2)];
  let i = 2;
  while (i < buf.length && buf[i] === 0xff && buf[i + 1] !== 0xda) {
    const len = buf.readUInt16BE(i + 2);
    const seg = buf.subarray(i, i + 2 + len);
    if (!(buf[i + 1] === 0xe1 && seg.subarray(4, 33).toString('latin1').startsWith('http://ns.adobe.com/xap/1.0/'))) parts.push(seg);
    i += 2 + len;
  }
  parts.push(buf.subarray(i));
  return Buffer.concat(parts);
}

const exiftoolJson = (file: string) => JSON.parse(execFileSync('exiftool', ['-json', '-n', '-XMP:Rating', '-XMP-microsoft:RatingPercent', '-XMP-digiKam:PickLabel', '-XMP:Label', file], { encoding: 'utf8' }))[0];

afterAll(() => endExifTool());

describe('XMP written into the file', () => {
  it('puts the rating inside a JPEG that exiftool reads back, nothing else changed, the original kept until confirmed', async () => {
    const dir = tempDir();
    const file = join(dir, 'IMG_0001.jpg');
    await sharp(join(resourcesDir(), 'demo', 'bee.jpg')).withExif({ IFD0: { Make: 'Canon', Model: 'Canon EOS R6' } }).jpeg({ quality: 90 }).toFile(file);
    const before = readFileSync(file);
    await writeIntoFile(file, { rating: 4, pick: 'picked', label: 'Red' });
    expect(exiftoolJson(file)).toMatchObject({ Rating: 4, RatingPercent: 75, PickLabel: 3, Label: 'Red' });
    const after = readFileSync(file);
    expect(withoutXmp(after).equals(withoutXmp(before))).toBe(true);
    expect(readFileSync(backupOf(file)).equals(before)).toBe(true);
    expect(await readFromFile(file)).toEqual({ rating: 4, pick: 'picked', label: 'Red' });
    // A second write before a confirm keeps the backup of the file as it was before any write.
    expect(await writeIntoFile(file, { rating: 2, pick: 'none', label: null })).toMatchObject({ backedUp: false });
    expect(await readFromFile(file)).toEqual({ rating: 2, pick: 'none', label: null });
    expect(readFileSync(backupOf(file)).equals(before)).toBe(true);
    await confirmIntoFile(file);
    expect(existsSync(backupOf(file))).toBe(false);
    await writeIntoFile(file, { rating: -1, pick: 'rejected' });
    expect(exiftoolJson(file)).toMatchObject({ Rating: -1, PickLabel: 1 });
    expect(exiftoolJson(file).RatingPercent).toBeUndefined();
    // Restore puts the file back as it was before the write (a confirmed one included).
    expect(await restoreFromBackup(file)).toBe(true);
    expect(await readFromFile(file)).toEqual({ rating: 2, pick: 'none', label: null });
    expect(existsSync(backupOf(file))).toBe(false);
    expect(await restoreFromBackup(file)).toBe(false);
  });

  it('writes into a DNG, keeping its raw data readable, and refuses a PNG', async () => {
    const dir = tempDir();
    const file = join(dir, 'IMG_0002.dng');
    writeFileSync(file, await makeDng(join(resourcesDir(), 'demo', 'calf.jpg'), { width: 300, height: 200, exif: { make: 'Canon', model: 'Canon EOS R5', dateTimeOriginal: '2024:05:01 10:00:00', exposureTime: [1, 100], fNumber: [4, 1], iso: 200, focalLength: [35, 1], lensModel: 'RF35mm' } }));
    await writeIntoFile(file, { rating: 5 });
    expect(exiftoolJson(file)).toMatchObject({ Rating: 5, RatingPercent: 99 });
    expect(execFileSync('exiftool', ['-validate', '-s3', file], { encoding: 'utf8' }).trim()).toBe('OK');
    const png = join(dir, 'a.png');
    copyFileSync(join(resourcesDir(), 'demo', 'bee.jpg'), png);
    await expect(writeIntoFile(png, { rating: 3 })).rejects.toThrow(/sidecar/);
  });
});
