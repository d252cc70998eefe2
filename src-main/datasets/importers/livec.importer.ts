// LIVE In the Wild Image Quality Challenge importer: Data/AllImages_release.mat, AllMOS_release.mat, AllStdDev_release.mat and Images/; the 7 training images are skipped.
import { AppError } from '../../../src-shared/api/errors';
import { checkLabel, DatasetFolder, labelPath, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { matNumbers, matStrings, matVariable, readMatFile } from './mat5';
import { ImportProblems } from './problems';
import type { DatasetImporter, ImportedImage, ParsedDataset } from './types';

const SCALE = { scoreRange: [0, 100] as [number, number], higherIsBetter: true, labelKind: 'mos' as const };
const LAYOUT = 'Data/AllImages_release.mat, Data/AllMOS_release.mat, Data/AllStdDev_release.mat, and the images in Images/ (training images in Images/trainingImages/)';
/** HyperIQA and pyiqa drop the first 7 entries (the images shown to subjects for training): 1169 → 1162. */
export const LIVEC_SKIPPED = 7;

export const livecImporter: DatasetImporter = {
  id: 'livec',
  label: 'LIVE Challenge',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const namesRel = await folder.require(['Data/AllImages_release.mat'], 'LIVE Challenge', LAYOUT);
    const mosRel = await folder.require(['Data/AllMOS_release.mat'], 'LIVE Challenge', LAYOUT);
    const stdRel = await folder.findFile('Data/AllStdDev_release.mat');
    const names = matStrings(matVariable(await readMatFile(await labelPath(root, namesRel, options), namesRel), 'AllImages_release', namesRel), `AllImages_release in ${namesRel}`);
    const mos = matNumbers(matVariable(await readMatFile(await labelPath(root, mosRel, options), mosRel), 'AllMOS_release', mosRel), `AllMOS_release in ${mosRel}`);
    const std = stdRel
      ? matNumbers(matVariable(await readMatFile(await labelPath(root, stdRel, options), stdRel), 'AllStdDev_release', stdRel), `AllStdDev_release in ${stdRel}`)
      : null;
    if (mos.length !== names.length || (std && std.length !== names.length)) {
      throw new AppError(
        'bad_input',
        `LIVE Challenge files disagree: ${namesRel} lists ${names.length} images, ${mosRel} ${mos.length} MOS values` +
          (std ? `, ${stdRel} ${std.length} standard deviations` : ''),
      );
    }
    if (names.length <= LIVEC_SKIPPED) {
      throw new AppError('bad_input', `${namesRel} lists ${names.length} images; LIVE Challenge lists ${LIVEC_SKIPPED} training images first and then the test images`);
    }
    const notes = [
      'LIVE Challenge: MOS on [0, 100], higher is better',
      `the first ${LIVEC_SKIPPED} entries (the training images shown to subjects: ${names.slice(0, LIVEC_SKIPPED).join(', ')}) are skipped, as HyperIQA and pyiqa do`,
      NO_OFFICIAL_SPLIT,
    ];
    if (!std) notes.push('no Data/AllStdDev_release.mat, so no std was imported');
    noteFixedScale('livec', options, SCALE, notes);
    const problems = new ImportProblems();
    const images: ImportedImage[] = [];
    for (let i = LIVEC_SKIPPED; i < names.length; i++) {
      const name = names[i]!;
      const where = { file: mosRel, row: i + 1 };
      const score = checkLabel(problems, mos[i]!, mos[i], SCALE.scoreRange, 'MOS', where);
      const s = std ? std[i]! : null;
      if (s !== null && !(Number.isFinite(s) && s >= 0)) problems.add(`std ${s} is not a non-negative number`, { file: stdRel!, row: i + 1 });
      const file = await folder.findFirst([`Images/${name}`, `Images/trainingImages/${name}`]);
      if (!file) problems.add(`image Images/${name} not found`, { file: namesRel, row: i + 1 });
      images.push({ file: file ?? `Images/${name}`, score, std: s, reference: null });
    }
    problems.throwIfAny(`Cannot import LIVE Challenge from ${root}`);
    return { format: 'livec', ...SCALE, images, notes };
  },
};
