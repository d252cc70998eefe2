// Migration 2: each image's shown label copied onto images (kept by triggers) and indexed, so grids sort 100k rows fast.
import type { Migration } from './types';

/** The label an image shows: its first label row. */
const FIRST_LABEL = (col: string, id: string) => `(SELECT ${col} FROM labels WHERE image_id = ${id} ORDER BY id LIMIT 1)`;

export const migration0002: Migration = {
  version: 2,
  name: 'image-label-column',
  up: (db) => {
    db.exec(`
      ALTER TABLE images ADD COLUMN label REAL;
      ALTER TABLE images ADD COLUMN label_std REAL;
      UPDATE images SET label = ${FIRST_LABEL('value', 'images.id')}, label_std = ${FIRST_LABEL('std', 'images.id')};
      CREATE INDEX images_dataset_label ON images(dataset_id, label);
      CREATE INDEX images_dataset_distortion ON images(dataset_id, distortion, level);

      CREATE TRIGGER labels_after_insert AFTER INSERT ON labels BEGIN
        UPDATE images SET label = ${FIRST_LABEL('value', 'NEW.image_id')}, label_std = ${FIRST_LABEL('std', 'NEW.image_id')}
        WHERE id = NEW.image_id;
      END;
      CREATE TRIGGER labels_after_update AFTER UPDATE ON labels BEGIN
        UPDATE images SET label = ${FIRST_LABEL('value', 'NEW.image_id')}, label_std = ${FIRST_LABEL('std', 'NEW.image_id')}
        WHERE id = NEW.image_id;
      END;
      CREATE TRIGGER labels_after_delete AFTER DELETE ON labels BEGIN
        UPDATE images SET label = ${FIRST_LABEL('value', 'OLD.image_id')}, label_std = ${FIRST_LABEL('std', 'OLD.image_id')}
        WHERE id = OLD.image_id;
      END;
    `);
  },
};
