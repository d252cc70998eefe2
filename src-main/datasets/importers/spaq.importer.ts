// SPAQ importer: "Annotations/MOS and Image attribute scores.xlsx" (Image name, MOS, attribute scores) and the images in TestImage/.
import { checkLabel, DatasetFolder, labelFile, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage, ParsedDataset } from './types';
import { cellText, headerColumns, readSheet } from './xlsx';

const SCALE = { scoreRange: [0, 100] as [number, number], higherIsBetter: true, labelKind: 'mos' as const };
const MOS_FILE = 'Annotations/MOS and Image attribute scores.xlsx';
const LAYOUT = `"${MOS_FILE}" (columns Image name, MOS, Brightness, Colorfulness, Contrast, Noisiness, Sharpness) and the images in TestImage/`;

export const spaqImporter: DatasetImporter = {
  id: 'spaq',
  label: 'SPAQ',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const labels = await labelFile(root, options.file, () => folder.require([MOS_FILE], 'SPAQ', LAYOUT), options);
    const sheet = await readSheet(labels.path);
    const col = headerColumns(sheet, ['Image name', 'MOS']);
    const notes = [
      'SPAQ: MOS on [0, 100], higher is better; the attribute scores (brightness, colorfulness, contrast, noisiness, sharpness) are not stored',
      'SPAQ images are full-resolution smartphone photos; pyiqa resizes them (shorter side 448) before training',
      NO_OFFICIAL_SPLIT,
    ];
    noteFixedScale('spaq', options, SCALE, notes);
    const problems = new ImportProblems();
    const images: ImportedImage[] = [];
    for (const { row, cells } of sheet.rows.slice(1)) {
      if (cells.every((c) => c === null)) continue;
      const where = { file: `${labels.name} (${sheet.name})`, row };
      const name = cellText(cells[col['Image name']!]);
      const raw = cells[col.MOS!];
      const score = checkLabel(problems, parseNumber(raw ?? ''), raw, SCALE.scoreRange, 'MOS', where);
      if (!name) {
        problems.add('Image name is empty', where);
        continue;
      }
      const file = await folder.findFile(`TestImage/${name}`);
      if (!file) problems.add(`image TestImage/${name} not found`, where);
      images.push({ file: file ?? `TestImage/${name}`, score, reference: null });
    }
    if (!images.length) problems.add('lists no images', { file: labels.name });
    problems.throwIfAny(`Cannot import SPAQ from ${root}`);
    return { format: 'spaq', ...SCALE, images, notes };
  },
};
