// Windows BMP decoding and encoding (uncompressed 24/32-bit and 8-bit paletted), which sharp's libvips lacks.
import type { RawImage } from './raw-image';

export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 26 && buf[0] === 0x42 && buf[1] === 0x4d;
}

export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
}

function header(buf: Buffer): BmpHeader & { offset: number; topDown: boolean; compression: number; paletteSize: number; infoSize: number } {
  if (!isBmp(buf)) throw new Error('not a BMP file');
  const offset = buf.readUInt32LE(10);
  const infoSize = buf.readUInt32LE(14);
  if (infoSize < 40) throw new Error(`unsupported BMP header (${infoSize} bytes)`);
  const width = buf.readInt32LE(18);
  const rawHeight = buf.readInt32LE(22);
  const bitsPerPixel = buf.readUInt16LE(28);
  const compression = buf.readUInt32LE(30);
  const colours = buf.readUInt32LE(46);
  if (width <= 0 || rawHeight === 0) throw new Error('BMP has no pixels');
  return {
    width,
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    offset,
    infoSize,
    paletteSize: colours || (bitsPerPixel <= 8 ? 1 << bitsPerPixel : 0),
  };
}

export function readBmpHeader(buf: Buffer): BmpHeader {
  const h = header(buf);
  return { width: h.width, height: h.height, bitsPerPixel: h.bitsPerPixel };
}

export function decodeBmp(buf: Buffer): RawImage {
  const h = header(buf);
  const bitfields = h.compression === 3 && h.bitsPerPixel === 32;
  if (h.compression !== 0 && !bitfields) throw new Error(`compressed BMP (method ${h.compression}) is not supported`);
  if (![8, 24, 32].includes(h.bitsPerPixel)) throw new Error(`${h.bitsPerPixel}-bit BMP is not supported`);
  const stride = Math.ceil((h.width * h.bitsPerPixel) / 32) * 4;
  if (h.offset + stride * h.height > buf.length) throw new Error('BMP is truncated');
  const palette = 14 + h.infoSize;
  const out = new Uint8Array(h.width * h.height * 3);
  for (let y = 0; y < h.height; y++) {
    const row = h.offset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) {
      const o = (y * h.width + x) * 3;
      let p: number;
      if (h.bitsPerPixel === 8) p = palette + buf[row + x]! * 4;
      else p = row + x * (h.bitsPerPixel / 8);
      out[o] = buf[p + 2]!;
      out[o + 1] = buf[p + 1]!;
      out[o + 2] = buf[p]!;
    }
  }
  return { width: h.width, height: h.height, data: out };
}

/** 24-bit bottom-up BMP, as TID2013 and LIVE ship them. */
export function encodeBmp24(img: RawImage): Buffer {
  const stride = Math.ceil((img.width * 3) / 4) * 4;
  const size = 54 + stride * img.height;
  const buf = Buffer.alloc(size);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(size, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(img.width, 18);
  buf.writeInt32LE(img.height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(stride * img.height, 34);
  for (let y = 0; y < img.height; y++) {
    const row = 54 + (img.height - 1 - y) * stride;
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 3;
      buf[row + x * 3] = img.data[i + 2]!;
      buf[row + x * 3 + 1] = img.data[i + 1]!;
      buf[row + x * 3 + 2] = img.data[i]!;
    }
  }
  return buf;
}
