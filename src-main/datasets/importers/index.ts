// Registry of dataset importers by id, with a helpful error for an unknown one.
import { AppError } from '../../../src-shared/api/errors';
import { bidImporter } from './bid.importer';
import { csiqImporter } from './csiq.importer';
import { genericCsvImporter } from './generic-csv.importer';
import { kadidImporter } from './kadid.importer';
import { koniqImporter } from './koniq.importer';
import { liveImporter } from './live.importer';
import { livecImporter } from './livec.importer';
import { livemdImporter } from './livemd.importer';
import { pyiqaMetaImporter } from './pyiqa-meta.importer';
import { spaqImporter } from './spaq.importer';
import { tid2008Importer, tid2013Importer } from './tid.importer';
import type { DatasetImporter } from './types';

const IMPORTERS: DatasetImporter[] = [
  genericCsvImporter,
  pyiqaMetaImporter,
  liveImporter,
  livemdImporter,
  csiqImporter,
  tid2008Importer,
  tid2013Importer,
  kadidImporter,
  koniqImporter,
  livecImporter,
  spaqImporter,
  bidImporter,
];

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

export type { DatasetImporter, ParsedDataset } from './types';
