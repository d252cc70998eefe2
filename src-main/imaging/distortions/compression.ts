// Compression distortions: JPEG and WebP encode-decode round trips through sharp (WebP stands in for KADID's JPEG2000).
import sharp from 'sharp';
import { rawToSharp } from '../raw-image';
import { param, type Distortion, type RgbImage } from './types';

// KADID-10k's JPEG qualities are 43, 36, 24, 7, 4; 43 and 36 look alike, so levels 2-3 are spread a little.
const JPEG_QUALITY = [43, 30, 18, 8, 3] as const;
// KADID-10k's other codec is JPEG2000 (compression ratios 16, 32, 45, 120, 170, i.e. 1.5 to 0.14 bits per pixel).
// The sharp/libvips build the app ships cannot write JPEG2000, so WebP takes its place: another modern codec
// whose low rates blur and smear rather than block. WebP is more efficient, so equal bit rates would look too
// clean; these qualities (about 1.3 down to 0.2 bits per pixel on 384 px photos) were set by eye to span a
// similar range of damage. sharp's WebP qualities run 1..100.
const WEBP_QUALITY = [60, 35, 18, 8, 1] as const;

async function decode(buf: Buffer, like: RgbImage): Promise<RgbImage> {
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== like.width || info.height !== like.height || info.channels !== 3) {
    throw new Error(`codec round trip changed the image to ${info.width}x${info.height}x${info.channels}`);
  }
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** JPEG at `quality` (sharp's libjpeg with the mozjpeg extras off: baseline, 4:2:0 chroma), decoded back. */
export async function jpegRoundTrip(img: RgbImage, quality: number): Promise<RgbImage> {
  const buf = await rawToSharp(img).jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false }).toBuffer();
  return decode(buf, img);
}

/** Lossy WebP at `quality` (libwebp, effort 4), decoded back. */
export async function webpRoundTrip(img: RgbImage, quality: number): Promise<RgbImage> {
  const buf = await rawToSharp(img).webp({ quality, effort: 4, smartSubsample: false }).toBuffer();
  return decode(buf, img);
}

export const COMPRESSION_DISTORTIONS: Distortion[] = [
  {
    id: 'jpeg',
    label: 'JPEG compression',
    family: 'compression',
    levels: 5,
    params: JPEG_QUALITY,
    paramName: 'JPEG quality',
    apply: (img, level) => jpegRoundTrip(img, param(JPEG_QUALITY, level)),
  },
  {
    id: 'webp',
    label: 'WebP compression (in place of JPEG2000)',
    family: 'compression',
    levels: 5,
    params: WEBP_QUALITY,
    paramName: 'WebP quality',
    apply: (img, level) => webpRoundTrip(img, param(WEBP_QUALITY, level)),
  },
];
