// TID2008 and TID2013 importers: mos_with_names.txt ("MOS name" per line), optional mos_std.txt, distorted_images/, reference_images/.
import { readRows } from './csv';
import { checkLabel, DatasetFolder, labelFile, labelPath, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { ImportProblems, parseNumber } from './problems';
import type { DatasetImporter, ImportedImage, ParsedDataset } from './types';

/** TID2013's 24 distortion types; TID2008 has the first 17. */
export const TID_DISTORTIONS = [
  'additive Gaussian noise', 'additive noise in color components', 'spatially correlated noise', 'masked noise',
  'high frequency noise', 'impulse noise', 'quantization noise', 'Gaussian blur', 'image denoising', 'JPEG compression',
  'JPEG2000 compression', 'JPEG transmission errors', 'JPEG2000 transmission errors', 'non eccentricity pattern noise',
  'local block-wise distortions', 'mean shift (intensity shift)', 'contrast change', 'change of color saturation',
  'multiplicative Gaussian noise', 'comfort noise', 'lossy compression of noisy images', 'color quantization with dither',
  'chromatic aberrations', 'sparse sampling and reconstruction',
];

const NAME = /^i(\d{2})_(\d{2})_(\d)\.bmp$/i;
const SCALE = { scoreRange: [0, 9] as [number, number], higherIsBetter: true, labelKind: 'mos' as const };

function tidImporter(id: 'tid2008' | 'tid2013', label: string, types: number, levels: number, counts: string): DatasetImporter {
  const layout = `mos_with_names.txt ("MOS name" per line, e.g. "5.51429 i01_01_1.bmp"), optional mos_std.txt, distorted_images/i01_01_1.bmp …, reference_images/I01.BMP …`;
  return {
    id,
    label,
    expects: layout,
    async parse(root, options): Promise<ParsedDataset> {
      const folder = new DatasetFolder(root);
      const mos = await labelFile(root, options.file, () => folder.require(['mos_with_names.txt'], label, layout), options);
      const mosFile = mos.name;
      const rows = await readRows(mos.path);
      const stdFile = await folder.findFile('mos_std.txt');
      const stdRows = stdFile ? await readRows(await labelPath(root, stdFile, options)) : null;
      const hasRefs = (await folder.findDir('reference_images')) !== null;
      const notes: string[] = [`${label}: MOS on [0, 9], higher is better (${counts})`, NO_OFFICIAL_SPLIT];
      noteFixedScale(id, options, SCALE, notes);
      const useStd = stdRows !== null && stdRows.length === rows.length;
      if (stdRows && !useStd) notes.push(`mos_std.txt has ${stdRows.length} lines for ${rows.length} images, so no std was imported`);
      if (!hasRefs) notes.push('no reference_images/ folder, so reference images are not linked (content ids still come from the names)');
      const problems = new ImportProblems();
      const images: ImportedImage[] = [];
      for (const [i, { line, cells }] of rows.entries()) {
        const where = { file: mosFile, row: line };
        if (cells.length < 2) {
          problems.add(`expected "MOS name", got "${cells.join(' ')}"`, where);
          continue;
        }
        const [rawMos, name] = [cells[0]!, cells[1]!];
        const m = NAME.exec(name);
        if (!m) {
          problems.add(`image name "${name}" is not in the TID form i01_01_1.bmp (reference_distortion_level)`, where);
          continue;
        }
        const type = Number(m[2]);
        const level = Number(m[3]);
        if (type < 1 || type > types) problems.add(`distortion ${type} in "${name}" is not one of ${label}'s ${types} types${id === 'tid2008' && type <= 24 ? ' (is this TID2013?)' : ''}`, where);
        if (level < 1 || level > levels) problems.add(`level ${level} in "${name}" is not 1..${levels}`, where);
        const score = checkLabel(problems, parseNumber(rawMos), rawMos, SCALE.scoreRange, 'MOS', where);
        const file = await folder.findFile(`distorted_images/${name}`);
        if (!file) problems.add(`image distorted_images/${name} not found`, where);
        const refName = `I${m[1]}`;
        let referenceFile: string | null = null;
        if (hasRefs) {
          referenceFile = await folder.findFile(`reference_images/${refName}.BMP`);
          if (!referenceFile) problems.add(`reference image reference_images/${refName}.BMP not found`, where);
        }
        const rawStd = useStd ? stdRows[i]!.cells[0] : undefined;
        const std = rawStd === undefined ? null : parseNumber(rawStd);
        if (std !== null && !(Number.isFinite(std) && std >= 0)) problems.add(`std "${rawStd}" is not a non-negative number`, { file: stdFile!, row: stdRows![i]!.line });
        images.push({
          file: file ?? `distorted_images/${name}`,
          score,
          std,
          reference: refName,
          referenceFile,
          distortion: TID_DISTORTIONS[type - 1] ?? `type ${type}`,
          level,
        });
      }
      if (!rows.length) problems.add('lists no images', { file: mosFile });
      problems.throwIfAny(`Cannot import ${label} from ${root}`);
      return { format: id, ...SCALE, images, notes };
    },
  };
}

export const tid2008Importer = tidImporter('tid2008', 'TID2008', 17, 4, '25 references x 17 distortions x 4 levels = 1700 images');
export const tid2013Importer = tidImporter('tid2013', 'TID2013', 24, 5, '25 references x 24 distortions x 5 levels = 3000 images');
