// KonIQ-10k importer: koniq10k_scores_and_distributions.csv (MOS_zscore labels), the official split from koniq10k_distributions_sets.csv, images in 1024x768/ or 512x384/.
import { readTable, type Table } from './csv';
import { checkLabel, DatasetFolder, labelPath, noteFixedScale } from './dataset-folder';
import { parseSplitPart } from './infer';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage, ParsedDataset, SplitPart } from './types';
import { AppError } from '../../../src-shared/api/errors';

const SCALE = { scoreRange: [0, 100] as [number, number], higherIsBetter: true, labelKind: 'mos' as const };
const SCORES = 'koniq10k_scores_and_distributions.csv';
const SETS = 'koniq10k_distributions_sets.csv';
const LAYOUT = `${SCORES} (columns image_name, c1..c5, c_total, MOS, SD, MOS_zscore) and/or ${SETS} (image_name, …, MOS, SD, set), images in 1024x768/ (or 512x384/)`;
const IMAGE_DIRS = ['1024x768', '512x384'];

export const koniqImporter: DatasetImporter = {
  id: 'koniq10k',
  label: 'KonIQ-10k',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const scoresRel = options.file ?? (await folder.findFirst([SCORES, `metadata/${SCORES}`]));
    const setsRel = await folder.findFirst([SETS, `metadata/${SETS}`]);
    if (!scoresRel && !setsRel) await folder.require([SCORES, SETS], 'KonIQ-10k', LAYOUT);
    let imageDir: string | null = null;
    for (const d of IMAGE_DIRS) if (!imageDir) imageDir = await folder.findDir(d);
    if (!imageDir) {
      throw new AppError('bad_input', `Not a KonIQ-10k folder: ${root} has no image folder "1024x768" or "512x384". Expected the published layout: ${LAYOUT}`);
    }
    const notes: string[] = ['KonIQ-10k: labels are MOS_zscore on [0, 100], higher is better (the column HyperIQA trains on; the 1–5 MOS and its SD are not stored)'];
    noteFixedScale('koniq10k', options, SCALE, notes);
    if (imageDir !== '1024x768') notes.push(`images read from ${imageDir}/ (no 1024x768/ folder)`);

    const problems = new ImportProblems();
    let labels: Table;
    let labelCol: string;
    let labelName: string;
    const sets = setsRel ? await readTable(await labelPath(root, setsRel, options), scoresRel ? ['image_name', 'set'] : ['image_name', 'MOS', 'set']) : null;
    if (scoresRel) {
      labels = await readTable(await labelPath(root, scoresRel, options), ['image_name', 'MOS_zscore']);
      labelCol = 'mos_zscore';
      labelName = scoresRel;
    } else {
      // The sets file alone: its MOS column is already the 0–100 z-score MOS.
      labels = sets!;
      labelCol = 'mos';
      labelName = setsRel!;
      notes.push(`no ${SCORES}; labels taken from the MOS column of ${SETS}, which holds the same 0–100 z-score MOS`);
    }

    const official = new Map<string, SplitPart>();
    if (sets) {
      for (const { line, values } of sets.rows) {
        const raw = values.set ?? '';
        const part = parseSplitPart(raw);
        if (!part) problems.add(`set "${raw}" is not training/validation/test`, { file: setsRel!, row: line });
        else official.set(values.image_name ?? '', part);
      }
      notes.push(`official split from ${setsRel} (training/validation/test → train/val/test), stored as "official_split"`);
    } else {
      notes.push(`no ${SETS}, so the official split was not imported (place the file from github.com/subpic/koniq/metadata next to the scores)`);
    }

    const images: ImportedImage[] = [];
    let unsplit = 0;
    for (const { line, values } of labels.rows) {
      const where = { file: labelName, row: line };
      const name = values.image_name ?? '';
      if (!name) {
        problems.add('image_name is empty', where);
        continue;
      }
      const score = checkLabel(problems, parseNumber(values[labelCol]), values[labelCol], SCALE.scoreRange, labelCol === 'mos' ? 'MOS' : 'MOS_zscore', where);
      const file = await folder.findFile(`${imageDir}/${name}`);
      if (!file) problems.add(`image ${imageDir}/${name} not found`, where);
      const img: ImportedImage = { file: file ?? `${imageDir}/${name}`, score, reference: null };
      const part = official.get(name);
      if (part) img.splits = { official_split: part };
      else if (sets) unsplit++;
      images.push(img);
    }
    if (unsplit) notes.push(`${unsplit} image${unsplit === 1 ? ' is' : 's are'} not in ${SETS} and so in no part of the official split`);
    if (!labels.rows.length) problems.add('lists no images', { file: labelName });
    problems.throwIfAny(`Cannot import KonIQ-10k from ${root}`);
    return { format: 'koniq10k', ...SCALE, images, notes };
  },
};
