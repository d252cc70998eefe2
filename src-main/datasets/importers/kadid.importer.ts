// KADID-10k importer: dmos.csv (dist_img, ref_img, dmos, var) with distorted and reference images together in images/.
import { readTable } from './csv';
import { checkLabel, DatasetFolder, labelFile, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage, ParsedDataset } from './types';

/** KADID-10k's 25 distortion types, numbered as in the file names (I01_<type>_<level>.png). */
export const KADID_DISTORTIONS = [
  'Gaussian blur', 'lens blur', 'motion blur', 'color diffusion', 'color shift', 'color quantization', 'color saturation 1',
  'color saturation 2', 'JPEG2000', 'JPEG', 'white noise', 'white noise in color component', 'impulse noise',
  'multiplicative noise', 'denoise', 'brighten', 'darken', 'mean shift', 'jitter', 'non-eccentricity patch', 'pixelate',
  'quantization', 'color block', 'high sharpen', 'contrast change',
];

const NAME = /^(i\d{2})_(\d{2})_(\d{2})\.png$/i;
const SCALE = { scoreRange: [1, 5] as [number, number], higherIsBetter: true, labelKind: 'dmos' as const };
const LAYOUT = 'dmos.csv (columns dist_img, ref_img, dmos, var) and images/ holding I01_01_01.png … and the references I01.png …';

export const kadidImporter: DatasetImporter = {
  id: 'kadid10k',
  label: 'KADID-10k',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const csv = await labelFile(root, options.file, () => folder.require(['dmos.csv'], 'KADID-10k', LAYOUT), options);
    const table = await readTable(csv.path, ['dist_img', 'ref_img', 'dmos']);
    const hasVar = table.header.includes('var');
    const notes = [
      'KADID-10k: the published "dmos" is a degradation category rating on [1, 5] where 5 = imperceptible, so higher is better (as in pyiqa)',
      hasVar ? 'std = sqrt(var) from dmos.csv' : 'dmos.csv has no var column, so no std was imported',
      NO_OFFICIAL_SPLIT,
    ];
    noteFixedScale('kadid10k', options, SCALE, notes);
    const problems = new ImportProblems();
    const images: ImportedImage[] = [];
    for (const { line, values } of table.rows) {
      const where = { file: csv.name, row: line };
      const dist = values.dist_img ?? '';
      const ref = values.ref_img ?? '';
      const m = NAME.exec(dist);
      if (!m) problems.add(`dist_img "${dist}" is not in the KADID form I01_01_01.png (reference_type_level)`, where);
      const type = m ? Number(m[2]) : null;
      if (type !== null && (type < 1 || type > 25)) problems.add(`distortion ${type} in "${dist}" is not one of KADID-10k's 25 types`, where);
      const score = checkLabel(problems, parseNumber(values.dmos), values.dmos, SCALE.scoreRange, 'dmos', where);
      let std: number | null = null;
      if (hasVar) {
        const v = parseNumber(values.var);
        if (!(Number.isFinite(v) && v >= 0)) problems.add(`var "${values.var}" is not a non-negative number`, where);
        else std = Math.sqrt(v);
      }
      const file = dist ? await folder.findFile(`images/${dist}`) : null;
      if (dist && !file) problems.add(`image images/${dist} not found`, where);
      const referenceFile = ref ? await folder.findFile(`images/${ref}`) : null;
      if (!ref) problems.add('ref_img is empty', where);
      else if (!referenceFile) problems.add(`reference image images/${ref} not found`, where);
      images.push({
        file: file ?? `images/${dist}`,
        score,
        std,
        reference: ref.replace(/\.[^.]+$/, '') || null,
        referenceFile,
        distortion: type ? (KADID_DISTORTIONS[type - 1] ?? `type ${type}`) : null,
        level: m ? Number(m[3]) : null,
      });
    }
    if (!table.rows.length) problems.add('lists no images', { file: csv.name });
    problems.throwIfAny(`Cannot import KADID-10k from ${root}`);
    return { format: 'kadid10k', ...SCALE, images, notes };
  },
};
