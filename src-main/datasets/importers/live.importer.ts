// LIVE IQA release 2 importer: dmos_realigned.mat (dmos_new, orgs), refnames_all.mat, the five distortion folders with info.txt, and refimgs/.
import { AppError } from '../../../src-shared/api/errors';
import { readRows } from './csv';
import { checkLabel, DatasetFolder, labelPath, NO_OFFICIAL_SPLIT, noteFixedScale } from './dataset-folder';
import { matNumbers, matStrings, matVariable, readMatFile } from './mat5';
import { ImportProblems } from './problems';
import type { DatasetImporter, ImportedImage, ImporterOptions, ParsedDataset } from './types';

const SCALE = { scoreRange: [0, 100] as [number, number], higherIsBetter: false, labelKind: 'dmos' as const };
/** The order of the entries in the .mat files, and the full release's image count per folder. */
export const LIVE_FOLDERS = [
  { folder: 'jp2k', full: 227 },
  { folder: 'jpeg', full: 233 },
  { folder: 'wn', full: 174 },
  { folder: 'gblur', full: 174 },
  { folder: 'fastfading', full: 174 },
];
const LAYOUT =
  'dmos_realigned.mat (dmos_new, orgs), refnames_all.mat (refnames_all), folders jp2k/ jpeg/ wn/ gblur/ fastfading/ holding img1.bmp … with an info.txt each, and refimgs/';

interface FolderInfo {
  folder: string;
  count: number;
  source: 'info.txt' | 'files';
  /** imgN.bmp → its reference name and line in info.txt. */
  info: Map<number, { ref: string | null; line: number }>;
}

/** One folder's image count: the entries of its info.txt when present, else its img<N>.bmp files (which must run 1..N). */
async function readFolder(root: string, folder: DatasetFolder, name: string, problems: ImportProblems, options: ImporterOptions): Promise<FolderInfo> {
  const dir = await folder.findDir(name);
  if (!dir) throw new AppError('bad_input', `Not a LIVE release 2 folder: ${root} has no "${name}/" folder. Expected the published layout: ${LAYOUT}`);
  const info = new Map<number, { ref: string | null; line: number }>();
  const infoRel = await folder.findFile(`${dir}/info.txt`);
  if (infoRel) {
    for (const { line, cells } of await readRows(await labelPath(root, infoRel, options))) {
      const img = cells.find((c) => /^img\d+\.bmp$/i.test(c));
      if (!img) continue;
      const n = Number(/\d+/.exec(img)![0]);
      if (info.has(n)) problems.add(`${img} listed twice`, { file: infoRel, row: line });
      const ref = cells.find((c) => c !== img && /\.(bmp|png|jpe?g|tiff?)$/i.test(c)) ?? null;
      info.set(n, { ref, line });
    }
    const count = info.size;
    for (let n = 1; n <= count; n++) if (!info.has(n)) problems.add(`lists ${count} images but not img${n}.bmp`, { file: infoRel });
    return { folder: dir, count, source: 'info.txt', info };
  }
  const numbers = (await folder.filesIn(dir)).map((f) => /^img(\d+)\.bmp$/i.exec(f)).filter((m) => m !== null).map((m) => Number(m[1]));
  const count = numbers.length;
  const have = new Set(numbers);
  for (let n = 1; n <= count; n++) if (!have.has(n)) problems.add(`${count} img*.bmp files but no img${n}.bmp`, { file: `${dir}/` });
  return { folder: dir, count, source: 'files', info };
}

export const liveImporter: DatasetImporter = {
  id: 'live',
  label: 'LIVE IQA release 2',
  expects: LAYOUT,
  async parse(root, options): Promise<ParsedDataset> {
    const folder = new DatasetFolder(root);
    const dmosRel = await folder.require(['dmos_realigned.mat'], 'LIVE release 2', LAYOUT);
    const refsRel = await folder.require(['refnames_all.mat'], 'LIVE release 2', LAYOUT);
    const dmosMat = await readMatFile(await labelPath(root, dmosRel, options), dmosRel);
    const dmos = matNumbers(matVariable(dmosMat, 'dmos_new', dmosRel), `dmos_new in ${dmosRel}`);
    const orgs = matNumbers(matVariable(dmosMat, 'orgs', dmosRel), `orgs in ${dmosRel}`);
    const stdVar = dmosMat.get('dmos_std');
    const std = stdVar ? matNumbers(stdVar, `dmos_std in ${dmosRel}`) : null;
    const refnames = matStrings(matVariable(await readMatFile(await labelPath(root, refsRel, options), refsRel), 'refnames_all', refsRel), `refnames_all in ${refsRel}`);
    if (orgs.length !== dmos.length || refnames.length !== dmos.length || (std && std.length !== dmos.length)) {
      throw new AppError(
        'bad_input',
        `LIVE files disagree: dmos_new has ${dmos.length} entries, orgs ${orgs.length}, refnames_all ${refnames.length}` + (std ? `, dmos_std ${std.length}` : ''),
      );
    }

    const problems = new ImportProblems();
    const folders: FolderInfo[] = [];
    for (const { folder: name } of LIVE_FOLDERS) folders.push(await readFolder(root, folder, name, problems, options));
    const total = folders.reduce((a, f) => a + f.count, 0);
    const published = LIVE_FOLDERS.reduce((a, f) => a + f.full, 0);
    const countNote = `images per folder: ${folders.map((f) => `${f.folder} ${f.count} (${f.source === 'info.txt' ? 'from info.txt' : 'counted img*.bmp files'})`).join(', ')}`;
    let usedPublished = false;
    if (total !== dmos.length) {
      if (dmos.length !== published) {
        throw new AppError(
          'bad_input',
          `LIVE folders and ${dmosRel} disagree: the .mat files list ${dmos.length} entries (in the order ${LIVE_FOLDERS.map((f) => f.folder).join(', ')}), ` +
            `but the folders hold ${total} (${folders.map((f) => `${f.folder} ${f.count} from ${f.source}`).join(', ')}); the full release has ` +
            `${LIVE_FOLDERS.map((f) => `${f.folder} ${f.full}`).join(', ')} = ${published}`,
        );
      }
      // The full release: trust its published counts (as HyperIQA does); missing images are then reported one by one.
      LIVE_FOLDERS.forEach((f, k) => (folders[k]!.count = f.full));
      usedPublished = true;
    }
    const hasRefDir = (await folder.findDir('refimgs')) !== null;
    const images: ImportedImage[] = [];
    let skipped = 0;
    let i = 0;
    for (const f of folders) {
      for (let n = 1; n <= f.count; n++, i++) {
        const where = { file: dmosRel, row: i + 1 };
        const ref = refnames[i]!;
        const inf = f.info.get(n);
        if (inf?.ref && ref && inf.ref.toLowerCase() !== ref.toLowerCase()) {
          problems.add(`${f.folder}/info.txt says img${n}.bmp comes from ${inf.ref}, but entry ${i + 1} of refnames_all says ${ref}`, { file: `${f.folder}/info.txt`, row: inf.line });
        }
        if (orgs[i] === 1) {
          skipped++;
          continue;
        }
        if (orgs[i] !== 0) problems.add(`orgs entry ${i + 1} is ${orgs[i]}, not 0 or 1`, where);
        const score = checkLabel(problems, dmos[i]!, dmos[i], SCALE.scoreRange, 'dmos_new', where);
        const s = std ? std[i]! : null;
        if (s !== null && !(Number.isFinite(s) && s >= 0)) problems.add(`dmos_std ${s} is not a non-negative number`, where);
        const file = await folder.findFile(`${f.folder}/img${n}.bmp`);
        if (!file) problems.add(`image ${f.folder}/img${n}.bmp not found`, where);
        if (!ref) problems.add(`refnames_all entry ${i + 1} is empty`, { file: refsRel, row: i + 1 });
        const referenceFile = ref && hasRefDir ? await folder.findFile(`refimgs/${ref}`) : null;
        if (ref && hasRefDir && !referenceFile) problems.add(`reference image refimgs/${ref} not found`, { file: refsRel, row: i + 1 });
        images.push({
          file: file ?? `${f.folder}/img${n}.bmp`,
          score,
          std: s,
          reference: ref.replace(/\.[^.]+$/, '') || null,
          referenceFile,
          distortion: f.folder,
          level: null,
        });
      }
    }
    const notes = [
      'LIVE release 2: realigned DMOS (dmos_new) on [0, 100], lower is better',
      `${skipped} entr${skipped === 1 ? 'y' : 'ies'} with orgs = 1 (the undistorted reference copies inside the distortion folders) skipped, as HyperIQA and pyiqa do`,
      usedPublished
        ? `${countNote} do not add up to the ${published} entries of the .mat files, so the published counts ${LIVE_FOLDERS.map((f) => `${f.folder} ${f.full}`).join(', ')} were used`
        : `${countNote}; the .mat entries run through the folders in this order`,
      'LIVE has no level index, so level is left empty (info.txt is used for the image counts and to check the reference names)',
      NO_OFFICIAL_SPLIT,
    ];
    if (!hasRefDir) notes.push('no refimgs/ folder, so reference images are not linked (content ids still come from refnames_all)');
    noteFixedScale('live', options, SCALE, notes);
    problems.throwIfAny(`Cannot import LIVE release 2 from ${root}`);
    return { format: 'live', ...SCALE, images, notes };
  },
};
