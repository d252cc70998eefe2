// LIVE Multiply Distorted (Jayaraman et al., Asilomar 2012) importer: Part 1 (blur then JPEG) and Part 2 (blur then noise), each with Imagelists.mat, Scores.mat and its image folder.
import { AppError } from '../../../src-shared/api/errors';
import { checkLabel, DatasetFolder, labelPath, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { matNumbers, matStrings, matVariable, readMatFile, type MatFile } from './mat5';
import { ImportProblems } from './problems';
import type { DatasetImporter, ImportedImage, ImporterOptions, ParsedDataset } from './types';

const SCALE = { scoreRange: [0, 100] as [number, number], higherIsBetter: false, labelKind: 'dmos' as const };

/** The two parts of the release: folder, image folder, and the distortion applied after blur. */
const LIVEMD_PARTS = [
  { part: 'Part 1', images: 'blurjpeg', second: 'jpeg' },
  { part: 'Part 2', images: 'blurnoise', second: 'noise' },
] as const;

const LAYOUT =
  '"Part 1/" and "Part 2/" (as in the release\'s To_Release/ folder), each holding Imagelists.mat (distimgs, refimgs, ref4dist, ' +
  'distimgdistlevels), Scores.mat (DMOSscores) and its images with their references: Part 1/blurjpeg/, Part 2/blurnoise/';

type Part = (typeof LIVEMD_PARTS)[number];

/** The folder holding the parts: the root itself, or its To_Release/ (the archive's top folder). */
async function partsRoot(folder: DatasetFolder): Promise<{ base: string; found: Part[] }> {
  for (const base of ['', 'To_Release']) {
    const found: Part[] = [];
    for (const p of LIVEMD_PARTS) if (await partDir(folder, base, p)) found.push(p);
    if (found.length) return { base, found };
  }
  throw new AppError('bad_input', `Not a LIVE Multiply Distorted folder: ${folder.root} has no "Part 1/" or "Part 2/" folder. Expected the published layout: ${LAYOUT}`);
}

/** "Part 1/", or "Part1/" as some copies name it. */
async function partDir(folder: DatasetFolder, base: string, p: Part): Promise<string | null> {
  const at = (name: string) => (base ? `${base}/${name}` : name);
  return (await folder.findDir(at(p.part))) ?? (await folder.findDir(at(p.part.replace(' ', ''))));
}

/** The distortion of an entry from its two levels: blur only, the part's second distortion only, or both. */
function distortionOf(p: Part, blur: number | null, second: number | null): string {
  if (blur === null || second === null) return `blur+${p.second}`;
  if (blur > 0 && second > 0) return `blur+${p.second}`;
  return blur > 0 ? 'blur' : p.second;
}

async function readPart(folder: DatasetFolder, root: string, dir: string, p: Part, options: ImporterOptions, problems: ImportProblems) {
  const listRel = await folder.require([`${dir}/Imagelists.mat`], 'LIVE Multiply Distorted', LAYOUT);
  const scoresRel = await folder.require([`${dir}/Scores.mat`], 'LIVE Multiply Distorted', LAYOUT);
  const imagesDir = await folder.findDir(`${dir}/${p.images}`);
  if (!imagesDir) throw new AppError('bad_input', `Not a LIVE Multiply Distorted folder: ${dir}/ has no "${p.images}/" image folder. Expected the published layout: ${LAYOUT}`);
  const list: MatFile = await readMatFile(await labelPath(root, listRel, options), listRel);
  const names = matStrings(matVariable(list, 'distimgs', listRel), `distimgs in ${listRel}`);
  const refs = matStrings(matVariable(list, 'refimgs', listRel), `refimgs in ${listRel}`);
  const refIndex = list.has('ref4dist') ? matNumbers(list.get('ref4dist')!, `ref4dist in ${listRel}`) : null;
  const levelsVar = list.get('distimgdistlevels');
  const levels = levelsVar ? matNumbers(levelsVar, `distimgdistlevels in ${listRel}`) : null;
  const dmos = matNumbers(matVariable(await readMatFile(await labelPath(root, scoresRel, options), scoresRel), 'DMOSscores', scoresRel), `DMOSscores in ${scoresRel}`);
  const n = names.length;
  if (dmos.length !== n || (refIndex && refIndex.length !== n) || (levels && levels.length !== 2 * n)) {
    throw new AppError(
      'bad_input',
      `LIVE Multiply Distorted ${p.part} files disagree: distimgs has ${n} entries, DMOSscores ${dmos.length}` +
        (refIndex ? `, ref4dist ${refIndex.length}` : '') +
        (levels ? `, distimgdistlevels ${levels.length / 2} rows` : ''),
    );
  }
  const images: ImportedImage[] = [];
  let pristine = 0;
  for (let i = 0; i < n; i++) {
    const name = names[i]!;
    const where = { file: listRel, row: i + 1 };
    let ref: string | null;
    if (refIndex) {
      const k = refIndex[i]!;
      ref = Number.isInteger(k) && k >= 1 && k <= refs.length ? refs[k - 1]! : null;
      if (ref === null) problems.add(`ref4dist entry ${i + 1} is ${k}, not an index into the ${refs.length} refimgs`, where);
    } else {
      // As the release's own scripts do: the reference is the name up to the first '_', as .bmp.
      ref = `${name.split('_')[0]}.bmp`;
    }
    if (ref !== null && name.toLowerCase() === ref.toLowerCase()) {
      pristine++;
      continue;
    }
    const score = checkLabel(problems, dmos[i]!, dmos[i], SCALE.scoreRange, 'DMOSscores', { file: scoresRel, row: i + 1 });
    const file = await folder.findFile(`${imagesDir}/${name}`);
    if (!file) problems.add(`image ${imagesDir}/${name} not found`, where);
    const referenceFile = ref ? await folder.findFile(`${imagesDir}/${ref}`) : null;
    if (ref && !referenceFile) problems.add(`reference image ${imagesDir}/${ref} not found`, where);
    const blur = levels ? levels[i]! : null;
    const second = levels ? levels[n + i]! : null;
    images.push({
      file: file ?? `${imagesDir}/${name}`,
      score,
      reference: ref ? ref.replace(/\.[^.]+$/, '') : null,
      referenceFile,
      distortion: distortionOf(p, blur, second),
      // Two levels per image (blur, then JPEG or noise) do not fit the one level field.
      level: null,
    });
  }
  return { images, pristine, count: n };
}

export const livemdImporter: DatasetImporter = {
  id: 'livemd',
  label: 'LIVE Multiply Distorted (LIVE MD)',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const { base, found } = await partsRoot(folder);
    const problems = new ImportProblems();
    const images: ImportedImage[] = [];
    const notes = [
      'LIVE Multiply Distorted: DMOS (DMOSscores) on [0, 100], lower is better; Part 1 is blur followed by JPEG, Part 2 blur followed by noise',
    ];
    for (const p of found) {
      const dir = (await partDir(folder, base, p))!;
      const part = await readPart(folder, root, dir, p, options, problems);
      images.push(...part.images);
      notes.push(
        `${p.part}: ${part.images.length} distorted images of ${part.count} entries` + (part.pristine ? ` (${part.pristine} undistorted reference entr${part.pristine === 1 ? 'y' : 'ies'} skipped)` : ''),
      );
    }
    const missing = LIVEMD_PARTS.filter((p) => !found.includes(p));
    if (missing.length) notes.push(`${missing.map((p) => `${p.part}/`).join(' and ')} not found: only ${found.map((p) => p.part).join(' and ')} imported`);
    notes.push(
      'distortion (from distimgdistlevels): blur, jpeg or noise alone, or blur+jpeg / blur+noise for both; level is left empty (each image has two)',
      'the blur-only images are in both parts, each with the DMOS of its own part; both are kept, and content ids (the reference names) keep a scene on one side of a split',
      NO_OFFICIAL_SPLIT,
    );
    noteFixedScale('livemd', options, SCALE, notes);
    problems.throwIfAny(`Cannot import LIVE Multiply Distorted from ${root}`);
    return { format: 'livemd', ...SCALE, images, notes };
  },
};
