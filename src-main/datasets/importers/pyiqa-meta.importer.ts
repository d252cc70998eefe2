// pyiqa meta-info CSV importer: dist_name/name + mos/dmos, optional ref_name, std, official_split and ratioXYZ_seedN_splitNN columns.
import { basename } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { readTable } from './csv';
import { resolveLabelFile } from './label-file';
import { PYIQA_SPLIT_COLUMN, parseSplitPart, rangeOrInferred } from './infer';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage, SplitPart } from './types';

const IMAGE_COLUMNS = ['dist_name', 'name', 'image_name', 'img_name', 'filename'];
const SCORE_COLUMNS = ['mos', 'dmos', 'mos_zscore', 'score'];

export const pyiqaMetaImporter: DatasetImporter = {
  id: 'pyiqa',
  label: 'pyiqa meta-info CSV',
  expects: `a pyiqa meta_info CSV (image column one of ${IMAGE_COLUMNS.join('/')}, score column one of ${SCORE_COLUMNS.join('/')}, optional ref_name, std, split columns)`,
  async parse(root, options) {
    if (!options.file) throw new AppError('validation', 'The pyiqa importer needs the meta-info CSV (--file)');
    const label = await resolveLabelFile(root, options.file, options.fileRoots ?? null);
    const table = await readTable(label.path, []);
    const name = basename(label.name);
    const imageCol = IMAGE_COLUMNS.find((c) => table.header.includes(c));
    const scoreCol = SCORE_COLUMNS.find((c) => table.header.includes(c));
    if (!imageCol || !scoreCol) {
      throw new AppError(
        'bad_input',
        `${name} is not a pyiqa meta-info CSV: it needs an image column (${IMAGE_COLUMNS.join(', ')}) and a score column ` +
          `(${SCORE_COLUMNS.join(', ')}); it has: ${table.header.join(', ')}`,
      );
    }
    const splitCols = table.header.filter((h) => PYIQA_SPLIT_COLUMN.test(h));
    const problems = new ImportProblems();
    const images: ImportedImage[] = table.rows.map(({ line, values }) => {
      const score = parseNumber(values[scoreCol]);
      if (!Number.isFinite(score)) problems.add(`${scoreCol} "${values[scoreCol]}" is not a number`, { file: name, row: line });
      const splits: Record<string, SplitPart> = {};
      for (const col of splitCols) {
        const raw = values[col] ?? '';
        if (raw === '' || raw === '-1') continue;
        const part = parseSplitPart(raw);
        if (part) splits[col] = part;
        else problems.add(`${col} value "${raw}" is not 0/1/2`, { file: name, row: line });
      }
      return {
        file: values[imageCol]!,
        score,
        std: values.std ? parseNumber(values.std) : null,
        reference: values.ref_name || null,
        splits,
      };
    });
    problems.throwIfAny(`Cannot read ${name}`);
    const notes: string[] = [];
    return {
      format: 'pyiqa',
      labelKind: options.labelKind ?? (scoreCol === 'dmos' ? 'dmos' : 'mos'),
      higherIsBetter: options.higherIsBetter ?? scoreCol !== 'dmos',
      scoreRange: rangeOrInferred(images.map((i) => i.score), options.scoreRange, notes),
      images,
      notes,
      source: { file: name, rows: table.rows.map((r) => r.line) },
    };
  },
};
