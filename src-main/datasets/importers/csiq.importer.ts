// CSIQ importer: csiq.DMOS.xlsx (sheet all_by_image) or HyperIQA's csiq_label.txt, images in dst_imgs/<type>/<image>.<TYPE>.<level>.png, references in src_imgs/.
import { extname } from 'node:path';
import { readRows } from './csv';
import { checkLabel, DatasetFolder, labelFile, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage, ParsedDataset } from './types';
import { cellText, headerColumns, readSheet } from './xlsx';

const SCALE = { scoreRange: [0, 1] as [number, number], higherIsBetter: false, labelKind: 'dmos' as const };
const LAYOUT =
  'csiq.DMOS.xlsx (sheet "all_by_image": image, dst_idx, dst_type, dst_lev, dmos_std, dmos) or csiq_label.txt ("name dmos" per line), ' +
  'distorted images dst_imgs/<type>/<image>.<TYPE>.<level>.png (or flat in dst_imgs_all/), references src_imgs/<image>.png';

/** CSIQ's distortion types: the spreadsheet's dst_type → the folder name and the tag in the file names. */
const TYPES: Record<string, { folder: string; tag: string }> = {
  noise: { folder: 'awgn', tag: 'AWGN' },
  awgn: { folder: 'awgn', tag: 'AWGN' },
  jpeg: { folder: 'jpeg', tag: 'JPEG' },
  jpeg2000: { folder: 'jpeg2000', tag: 'jpeg2000' },
  fnoise: { folder: 'fnoise', tag: 'fnoise' },
  'pinknoise': { folder: 'fnoise', tag: 'fnoise' },
  blur: { folder: 'blur', tag: 'BLUR' },
  contrast: { folder: 'contrast', tag: 'contrast' },
};
const typeOf = (raw: string) => TYPES[raw.toLowerCase().replace(/[\s_-]+/g, '')];

interface Entry {
  image: string;
  type: string;
  level: number;
  rawDmos: unknown;
  dmos: number;
  std: number | null;
  where: { file: string; row: number };
}

export const csiqImporter: DatasetImporter = {
  id: 'csiq',
  label: 'CSIQ',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const labels = await labelFile(root, options.file, () => folder.require(['csiq.DMOS.xlsx', 'csiq_label.txt'], 'CSIQ', LAYOUT), options);
    const notes = ['CSIQ: DMOS on [0, 1], lower is better', NO_OFFICIAL_SPLIT];
    noteFixedScale('csiq', options, SCALE, notes);
    const problems = new ImportProblems();
    const entries: Entry[] = [];

    if (extname(labels.path).toLowerCase() === '.xlsx') {
      const sheet = await readSheet(labels.path, 'all_by_image');
      const col = headerColumns(sheet, ['image', 'dst_type', 'dst_lev', 'dmos'], ['dmos_std']);
      for (const { row, cells } of sheet.rows.slice(1)) {
        const where = { file: `${labels.name} (all_by_image)`, row };
        const image = cellText(cells[col.image!]);
        if (!image && cells.every((c) => c === null)) continue;
        const rawType = cellText(cells[col.dst_type!]);
        const level = parseNumber(cells[col.dst_lev!] ?? '');
        if (!image) problems.add('image is empty', where);
        if (!typeOf(rawType)) problems.add(`dst_type "${rawType}" is not a CSIQ distortion (noise, jpeg, jpeg 2000, fnoise, blur, contrast)`, where);
        if (!Number.isInteger(level) || level < 1) problems.add(`dst_lev "${cellText(cells[col.dst_lev!])}" is not a level 1..5`, where);
        const rawDmos = cells[col.dmos!];
        const rawStd = col.dmos_std !== undefined ? cells[col.dmos_std] : null;
        const std = rawStd === null || rawStd === undefined ? null : parseNumber(rawStd);
        if (std !== null && !(Number.isFinite(std) && std >= 0)) problems.add(`dmos_std "${String(rawStd)}" is not a non-negative number`, where);
        entries.push({ image, type: rawType, level, rawDmos, dmos: parseNumber(rawDmos ?? ''), std, where });
      }
    } else {
      notes.push(`labels from ${labels.name} (HyperIQA's "name dmos" list)`);
      for (const { line, cells } of await readRows(labels.path)) {
        const where = { file: labels.name, row: line };
        const [name = '', rawDmos = ''] = cells;
        const m = /^(.+)\.([^.]+)\.(\d+)\.png$/i.exec(name);
        if (cells.length < 2 || !m) {
          problems.add(`expected "<image>.<TYPE>.<level>.png dmos", got "${cells.join(' ')}"`, where);
          continue;
        }
        if (!typeOf(m[2]!)) problems.add(`distortion "${m[2]}" in "${name}" is not a CSIQ distortion`, where);
        entries.push({ image: m[1]!, type: m[2]!, level: Number(m[3]), rawDmos, dmos: parseNumber(rawDmos), std: null, where });
      }
    }

    const images: ImportedImage[] = [];
    for (const e of entries) {
      checkLabel(problems, e.dmos, e.rawDmos, SCALE.scoreRange, 'dmos', e.where);
      const t = typeOf(e.type);
      const name = `${e.image}.${t?.tag ?? e.type}.${e.level}.png`;
      const file = t
        ? await folder.findFirst([`dst_imgs/${t.folder}/${name}`, `dst_imgs_all/${name}`, `dst_imgs/${name}`])
        : null;
      if (t && !file) problems.add(`image dst_imgs/${t.folder}/${name} not found (nor in dst_imgs_all/)`, e.where);
      const referenceFile = await folder.findFile(`src_imgs/${e.image}.png`);
      if (!referenceFile) problems.add(`reference image src_imgs/${e.image}.png not found`, e.where);
      images.push({
        file: file ?? `dst_imgs/${t?.folder ?? e.type}/${name}`,
        score: e.dmos,
        std: e.std,
        reference: e.image,
        referenceFile,
        distortion: t?.folder ?? e.type,
        level: e.level,
      });
    }
    if (!entries.length) problems.add('lists no images', { file: labels.name });
    problems.throwIfAny(`Cannot import CSIQ from ${root}`);
    return { format: 'csiq', ...SCALE, images, notes };
  },
};
