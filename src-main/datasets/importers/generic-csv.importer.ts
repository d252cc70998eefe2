// Generic CSV importer: columns path, score, and optionally std, reference, split (train/val/test or 0/1/2).
import { basename } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { readTable } from './csv';
import { resolveLabelFile } from './label-file';
import { parseSplitPart, rangeOrInferred } from './infer';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage } from './types';

export const genericCsvImporter: DatasetImporter = {
  id: 'csv',
  label: 'Generic CSV',
  expects: 'a CSV with columns path, score[, std, reference, split]; paths relative to the dataset folder',
  async parse(root, options) {
    if (!options.file) throw new AppError('validation', 'The CSV importer needs the CSV file (--file)');
    const label = await resolveLabelFile(root, options.file, options.fileRoots ?? null);
    const table = await readTable(label.path, ['path', 'score']);
    const problems = new ImportProblems();
    const name = basename(label.name);
    const images: ImportedImage[] = table.rows.map(({ line, values }) => {
      const score = parseNumber(values.score);
      if (!Number.isFinite(score)) problems.add(`score "${values.score}" is not a number`, { file: name, row: line });
      const std = values.std ? parseNumber(values.std) : null;
      if (std !== null && !Number.isFinite(std)) problems.add(`std "${values.std}" is not a number`, { file: name, row: line });
      const img: ImportedImage = { file: values.path!, score, std, reference: values.reference || null };
      if (values.split) {
        const part = parseSplitPart(values.split);
        if (!part) problems.add(`split "${values.split}" is not train/val/test`, { file: name, row: line });
        else img.splits = { csv_split: part };
      }
      return img;
    });
    problems.throwIfAny(`Cannot read ${name}`);
    const notes: string[] = [];
    return {
      format: 'csv',
      labelKind: options.labelKind ?? 'mos',
      higherIsBetter: options.higherIsBetter ?? true,
      scoreRange: rangeOrInferred(images.map((i) => i.score), options.scoreRange, notes),
      images,
      notes,
      source: { file: name, rows: table.rows.map((r) => r.line) },
    };
  },
};
