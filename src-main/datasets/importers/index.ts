// Registry of dataset importers by id, with a helpful error for an unknown one.
import { AppError } from '../../../src-shared/api/errors';
import { genericCsvImporter } from './generic-csv.importer';
import { pyiqaMetaImporter } from './pyiqa-meta.importer';
import type { DatasetImporter } from './types';

const IMPORTERS: DatasetImporter[] = [genericCsvImporter, pyiqaMetaImporter];

export function listImporters(): readonly DatasetImporter[] {
  return IMPORTERS;
}

export function getImporter(id: string): DatasetImporter {
  const found = IMPORTERS.find((i) => i.id === id);
  if (!found) {
    throw new AppError('validation', `Unknown dataset format "${id}"; known: folder, ${IMPORTERS.map((i) => i.id).join(', ')}`);
  }
  return found;
}

export type { DatasetImporter, ImportedImage, ParsedDataset, ImporterOptions, SplitPart } from './types';
