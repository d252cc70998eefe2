// Opt-in "write into the file" for JPEG, TIFF and DNG (what Lightroom reads for them): the XMP rating, flag and label written by ExifTool, which keeps the original as `<file>_original` until the user confirms.
import { rm, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { exifTool } from './exif';
import { microsoftRating, PICK_LABELS, XmpError, type PickFlag } from './xmp-model';

export const IN_FILE_EXTENSIONS = ['.jpg', '.jpeg', '.tif', '.tiff', '.dng'];

export interface InFileUpdate {
  /** -1 rejected .. 5. */
  rating: number;
  pick?: PickFlag;
  /** xmp:Label colour name, or null to remove it. */
  label?: string | null;
}

/** The backup ExifTool leaves beside a file it rewrote. */
export const backupOf = (file: string): string => `${file}_original`;

/** Writes xmp:Rating, MicrosoftPhoto:Rating, digiKam:PickLabel and xmp:Label into the file; the original stays as its backup. */
export async function writeIntoFile(file: string, update: InFileUpdate): Promise<{ backup: string }> {
  if (!IN_FILE_EXTENSIONS.includes(extname(file).toLowerCase())) throw new XmpError('only JPEG, TIFF and DNG files take XMP inside them; use a sidecar', file);
  if (!(Number.isInteger(update.rating) && update.rating >= -1 && update.rating <= 5)) throw new XmpError(`xmp:Rating must be an integer from -1 to 5, got ${update.rating}`, file);
  if (await stat(backupOf(file)).then(() => true, () => false)) throw new XmpError('a backup from an earlier write is not confirmed yet; confirm or restore it first', file);
  const tags: Record<string, string | number | null> = {
    'XMP-xmp:Rating': update.rating,
    'XMP-microsoft:RatingPercent': microsoftRating(update.rating),
  };
  if (update.pick) tags['XMP-digiKam:PickLabel'] = PICK_LABELS[update.pick];
  if (update.label !== undefined) tags['XMP-xmp:Label'] = update.label;
  // No -overwrite_original: ExifTool renames the original to <file>_original, the backup kept until confirmed.
  await exifTool().write(file, tags as never, { writeArgs: [] });
  return { backup: backupOf(file) };
}

/** The user confirmed the written files: their backups go. */
export async function confirmIntoFile(file: string): Promise<void> {
  await rm(backupOf(file), { force: true });
}
