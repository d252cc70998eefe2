// Camera EXIF in a photographer's words: "1/250 s", "f/2.8", "50 mm", "ISO 400".
import type { PhotoExif } from '../../src-shared/api/schemas';

export function formatShutter(s: number): string {
  if (s >= 1) return `${Number(s.toFixed(1))} s`;
  return `1/${Math.round(1 / s)} s`;
}

/** The exposure line of the loupe, missing fields left out. */
export function exposureLine(e: PhotoExif): string {
  return [
    e.focalLength ? `${Number(e.focalLength.toFixed(1))} mm` : null,
    e.aperture ? `f/${Number(e.aperture.toFixed(1))}` : null,
    e.shutter ? formatShutter(e.shutter) : null,
    e.iso ? `ISO ${Math.round(e.iso)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "2024-05-01 14:03:22" from the stored ISO form. */
export const captureTime = (t: string | null): string => (t ? t.replace('T', ' ').slice(0, 19) : '');
