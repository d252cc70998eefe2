// Opt-in "write into the file" for JPEG, TIFF and DNG (what Lightroom reads for them): the XMP rating, flag and label written by ExifTool, which keeps the original as `<file>_original` until the user confirms or restores it.
import { rename, rm, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { exifTool } from './exif';
import { microsoftRating, PICK_LABELS, XmpError, type PickFlag } from './xmp-model';

export const IN_FILE_EXTENSIONS = ['.jpg', '.jpeg', '.tif', '.tiff', '.dng'];

/** True for the files whose XMP Lightroom reads inside them (proprietary RAW files keep sidecars). */
export const takesXmpInside = (file: string): boolean => IN_FILE_EXTENSIONS.includes(extname(file).toLowerCase());

export interface InFileUpdate {
  /** -1 rejected .. 5. */
  rating: number;
  /** 'none' clears a PickLabel the file holds. */
  pick?: PickFlag;
  /** xmp:Label colour name, or null to remove it. */
  label?: string | null;
}

/** The rating, flag and colour label the XMP inside a file holds. */
export interface InFileXmp {
  rating: number | null;
  pick: PickFlag | null;
  label: string | null;
}

/** The backup ExifTool leaves beside a file it rewrote. */
export const backupOf = (file: string): string => `${file}_original`;

const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

/** True while a file has a backup from an unconfirmed write. */
export const hasBackup = (file: string): Promise<boolean> => exists(backupOf(file));

const PICK_OF_LABEL = new Map<number, PickFlag>(Object.entries(PICK_LABELS).map(([k, v]) => [v, k as PickFlag]));

/** Reads xmp:Rating, digiKam:PickLabel and xmp:Label from the XMP inside the file. */
export async function readFromFile(file: string): Promise<InFileXmp> {
  const tags = (await exifTool().readRaw(file, { readArgs: ['-n', '-XMP-xmp:Rating', '-XMP-digiKam:PickLabel', '-XMP-xmp:Label'] })) as Record<string, unknown>;
  const rating = typeof tags.Rating === 'number' && Number.isInteger(tags.Rating) && tags.Rating >= -1 && tags.Rating <= 5 ? tags.Rating : null;
  const pick = typeof tags.PickLabel === 'number' ? (PICK_OF_LABEL.get(tags.PickLabel) ?? null) : null;
  const label = typeof tags.Label === 'string' && tags.Label.trim() ? tags.Label.trim() : null;
  return { rating, pick, label };
}

/**
 * Writes xmp:Rating, MicrosoftPhoto:Rating, digiKam:PickLabel and xmp:Label into the file. The first write keeps the
 * original as its backup; later writes before a confirm leave that backup (the file as it was before any write) alone.
 */
export async function writeIntoFile(file: string, update: InFileUpdate): Promise<{ backup: string; backedUp: boolean }> {
  if (!takesXmpInside(file)) throw new XmpError('only JPEG, TIFF and DNG files take XMP inside them; use a sidecar', file);
  if (!(Number.isInteger(update.rating) && update.rating >= -1 && update.rating <= 5)) throw new XmpError(`xmp:Rating must be an integer from -1 to 5, got ${update.rating}`, file);
  if (update.pick !== undefined && !Object.hasOwn(PICK_LABELS, update.pick)) throw new XmpError(`digiKam:PickLabel must be picked, rejected or none, got ${String(update.pick)}`, file);
  const tags: Record<string, string | number | null> = {
    'XMP-xmp:Rating': update.rating,
    'XMP-microsoft:RatingPercent': microsoftRating(update.rating),
  };
  if (update.pick) tags['XMP-digiKam:PickLabel'] = PICK_LABELS[update.pick];
  if (update.label !== undefined) tags['XMP-xmp:Label'] = update.label;
  const backedUp = !(await hasBackup(file));
  // Without -overwrite_original ExifTool renames the original to <file>_original: the backup kept until confirmed.
  await exifTool().write(file, tags as never, { writeArgs: backedUp ? [] : ['-overwrite_original'] });
  return { backup: backupOf(file), backedUp };
}

/** The user confirmed the written files: their backups go. */
export async function confirmIntoFile(file: string): Promise<void> {
  await rm(backupOf(file), { force: true });
}

/** The user undid the writes: the backup (the file before the first write) replaces the file. */
export async function restoreFromBackup(file: string): Promise<boolean> {
  if (!(await hasBackup(file))) return false;
  await rename(backupOf(file), file);
  return true;
}
