// Migration 10: the Lightroom pick flag beside the reject, each photo's camera EXIF and RAW companion, and its burst/near-duplicate group.
import type { Migration } from './types';

export const migration0010: Migration = {
  version: 10,
  name: 'photo-picks-exif-groups',
  up: (db) => {
    db.exec(`
      -- Lightroom's flag is one of picked, unflagged, rejected: picked and rejected are never both 1 (kept so by the repo).
      ALTER TABLE photo_ratings ADD COLUMN picked INTEGER NOT NULL DEFAULT 0 CHECK (picked IN (0,1));

      CREATE TABLE photo_exif (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        -- Capture time as written by the camera (EXIF DateTimeOriginal, local time, ISO 8601 without zone).
        captured_at TEXT,
        camera TEXT,
        lens TEXT,
        focal_length REAL CHECK (focal_length IS NULL OR focal_length > 0),
        iso REAL CHECK (iso IS NULL OR iso > 0),
        -- Exposure time in seconds, f-number.
        shutter REAL CHECK (shutter IS NULL OR shutter > 0),
        aperture REAL CHECK (aperture IS NULL OR aperture > 0),
        -- The RAW file shot with this JPEG (RAW+JPEG kept as one photo), when there is one.
        raw_path TEXT,
        -- 64-bit difference hash of the picture (16 hex digits), for near-duplicates.
        dhash TEXT CHECK (dhash IS NULL OR length(dhash) = 16)
      ) STRICT;
      CREATE INDEX photo_exif_captured ON photo_exif (captured_at);

      CREATE TABLE photo_groups (
        image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        -- Groups are numbered 1.. in capture order within a collection; a photo alone is not grouped.
        group_no INTEGER NOT NULL CHECK (group_no >= 1),
        size INTEGER NOT NULL CHECK (size >= 2),
        -- The group's best photo by score and sharpness (pre-picked; the rest suggested for rejection).
        best INTEGER NOT NULL DEFAULT 0 CHECK (best IN (0,1))
      ) STRICT;
      CREATE INDEX photo_groups_dataset ON photo_groups (dataset_id, group_no);
    `);
  },
};
