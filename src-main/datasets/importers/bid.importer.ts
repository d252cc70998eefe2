// BID (blurred image database) importer: DatabaseGrades.xlsx (image number, grade) and DatabaseImage0001.JPG … beside it or in ImageDatabase/.
import { dirname } from 'node:path';
import { checkLabel, DatasetFolder, labelFile, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage, ParsedDataset } from './types';
import { cellText, readSheet } from './xlsx';

const SCALE = { scoreRange: [0, 5] as [number, number], higherIsBetter: true, labelKind: 'mos' as const };
const LAYOUT = 'DatabaseGrades.xlsx (first sheet: a header row, then image number in column 1 and its grade in column 2) and the images DatabaseImage0001.JPG … beside it (or in ImageDatabase/)';

export const bidImporter: DatasetImporter = {
  id: 'bid',
  label: 'BID',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const labels = await labelFile(root, options.file, () => folder.require(['DatabaseGrades.xlsx', 'ImageDatabase/DatabaseGrades.xlsx'], 'BID', LAYOUT), options);
    const sheet = await readSheet(labels.path);
    const notes = [
      'BID: mean grades on [0, 5], higher is better (column 2 of DatabaseGrades.xlsx, as HyperIQA reads it)',
      'HyperIQA resizes BID images to 512x512 before cropping',
      NO_OFFICIAL_SPLIT,
    ];
    noteFixedScale('bid', options, SCALE, notes);
    const problems = new ImportProblems();
    const where0 = (row: number) => ({ file: `${labels.name} (${sheet.name})`, row });
    const rows = sheet.rows;
    const first = rows[0];
    const hasHeader = first !== undefined && !Number.isFinite(parseNumber(first.cells[0] ?? ''));
    if (first && hasHeader) {
      const [h1, h2] = [cellText(first.cells[0]), cellText(first.cells[1])];
      if (!/image|img|number|#/i.test(h1) || !/grade|mos|score|mean|average/i.test(h2)) {
        problems.add(`the header should name the image number (column 1) and the grade (column 2); it has "${h1}", "${h2}"`, where0(first.row));
      }
    }
    const imageDirs = [...new Set([dirname(labels.name) === '.' ? '' : dirname(labels.name), '', 'ImageDatabase'])];
    const images: ImportedImage[] = [];
    let ignored = 0;
    for (const [k, { row, cells }] of rows.slice(hasHeader ? 1 : 0).entries()) {
      if (cells[0] === null || cells[0] === undefined) {
        // The table ends at the first row without an image number (HyperIQA reads rows 2..587 only).
        ignored = rows.length - (hasHeader ? 1 : 0) - k;
        break;
      }
      const where = where0(row);
      const num = parseNumber(cells[0]);
      if (!Number.isInteger(num) || num < 1) {
        problems.add(`image number "${cellText(cells[0])}" is not a positive whole number`, where);
        continue;
      }
      const score = checkLabel(problems, parseNumber(cells[1] ?? ''), cells[1], SCALE.scoreRange, 'grade', where);
      const name = `DatabaseImage${String(num).padStart(4, '0')}.JPG`;
      const file = await folder.findFirst(imageDirs.map((d) => (d ? `${d}/${name}` : name)));
      if (!file) problems.add(`image ${name} not found`, where);
      images.push({ file: file ?? name, score, reference: null });
    }
    if (ignored) notes.push(`${ignored} row${ignored === 1 ? '' : 's'} after the first row without an image number ignored`);
    if (!images.length) problems.add('lists no images', { file: labels.name });
    problems.throwIfAny(`Cannot import BID from ${root}`);
    return { format: 'bid', ...SCALE, images, notes };
  },
};
