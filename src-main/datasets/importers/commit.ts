// Checks a parsed dataset completely (labels, paths, files, duplicates), then writes it in one transaction.
import { stat } from 'node:fs/promises';
import { AppError } from '../../../src-shared/api/errors';
import { probeImage, type ImageProbe } from '../../imaging/probe';
import type { Store } from '../../store/store';
import { mapLimit } from '../../util/map-limit';
import { insideAny, realPathOrNull } from '../../util/real-path';
import type { SplitPart, ParsedDataset } from './types';
import { resolveInside } from './paths';
import { ImportProblems } from './problems';

export interface CommitOptions {
  name: string;
  description?: string;
  /** Read each image's header for size and format (default true). */
  probe?: boolean;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Real folders the listed files must lie in after symlinks (see ImporterOptions.fileRoots); null: anywhere. */
  fileRoots?: string[] | null;
}

export interface CommitResult {
  datasetId: number;
  images: number;
  references: number;
  splits: string[];
  unreadable: { file: string; error: string }[];
}

/** Labels may sit this far outside the published range before they count as out of range (rounding in files). */
const RANGE_SLACK = 1e-6;

export function validateParsed(root: string, parsed: ParsedDataset, problems: ImportProblems): void {
  const [lo, hi] = parsed.scoreRange;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) problems.add(`score range [${lo}, ${hi}] is not a valid range`);
  if (!parsed.images.length) problems.add('the dataset lists no images');
  const seen = new Map<string, number>();
  parsed.images.forEach((img, i) => {
    const where = { file: img.file, row: parsed.source?.rows[i] ?? i + 1 };
    if (!Number.isFinite(img.score)) problems.add(`label is not a number (${String(img.score)})`, where);
    else if (img.score < lo - RANGE_SLACK || img.score > hi + RANGE_SLACK) problems.add(`label ${img.score} outside [${lo}, ${hi}]`, where);
    if (img.std !== undefined && img.std !== null && !(Number.isFinite(img.std) && img.std >= 0)) problems.add(`std ${img.std} is not a non-negative number`, where);
    if (!resolveInside(root, img.file)) problems.add('path leaves the dataset folder or is absolute', where);
    if (img.referenceFile && !resolveInside(root, img.referenceFile)) problems.add(`reference path "${img.referenceFile}" leaves the dataset folder`, where);
    // The resolved path, so images/a.png, ./images/a.png and images//a.png count as the same file.
    const key = resolveInside(root, img.file) ?? img.file.replace(/\\/g, '/');
    const first = seen.get(key);
    if (first !== undefined) problems.add(`listed twice (first on row ${first})`, where);
    else seen.set(key, where.row);
  });
}

/** Every listed file must exist as a regular file; with `fileRoots`, its real path (a symlink's target) must lie inside them. */
async function checkFilesExist(root: string, parsed: ParsedDataset, problems: ImportProblems, concurrency: number, fileRoots: readonly string[] | null) {
  const files = new Set<string>();
  for (const img of parsed.images) {
    files.add(img.file);
    if (img.referenceFile) files.add(img.referenceFile);
  }
  await mapLimit([...files], concurrency, async (file) => {
    const full = resolveInside(root, file);
    if (!full) return;
    const real = await realPathOrNull(full);
    const st = real ? await stat(real).catch(() => null) : null;
    if (!st) problems.add('file not found', { file });
    else if (!st.isFile()) problems.add('not a regular file', { file });
    else if (fileRoots && !insideAny(fileRoots, real!)) problems.add('links to a file outside the dataset folder and the allowed folders', { file });
  });
}

export async function commitImport(store: Store, root: string, parsed: ParsedDataset, opts: CommitOptions): Promise<CommitResult> {
  if (store.datasets.findByName(opts.name)) throw new AppError('conflict', `A dataset named "${opts.name}" already exists`);
  const problems = new ImportProblems();
  const concurrency = opts.concurrency ?? 8;
  const context = `Cannot import ${parsed.format} from ${root}${parsed.source ? ` (rows of ${parsed.source.file})` : ''}`;
  validateParsed(root, parsed, problems);
  problems.throwIfAny(context);
  await checkFilesExist(root, parsed, problems, concurrency, opts.fileRoots ?? null);
  problems.throwIfAny(context);

  let done = 0;
  const probes: (ImageProbe | null)[] = await mapLimit(parsed.images, concurrency, async (img) => {
    if (opts.signal?.aborted) throw new AppError('cancelled', 'Import cancelled; nothing was imported');
    const probe = opts.probe === false ? null : await probeImage(resolveInside(root, img.file)!);
    opts.onProgress?.(++done, parsed.images.length);
    return probe;
  });
  if (opts.signal?.aborted) throw new AppError('cancelled', 'Import cancelled; nothing was imported');

  return store.transaction(() => {
    const [lo, hi] = parsed.scoreRange;
    const datasetId = store.datasets.create({
      name: opts.name,
      kind: parsed.format,
      root,
      description: opts.description ?? '',
      labelKind: parsed.labelKind,
      scoreMin: lo,
      scoreMax: hi,
      higherIsBetter: parsed.higherIsBetter,
      meta: { notes: parsed.notes },
    });
    const refIds = new Map<string, number>();
    const splitMembers = new Map<string, Map<number, SplitPart>>();
    const unreadable: CommitResult['unreadable'] = [];
    parsed.images.forEach((img, i) => {
      let referenceId: number | null = null;
      if (img.reference) {
        referenceId = refIds.get(img.reference) ?? null;
        if (referenceId === null) {
          const refPath = img.referenceFile ? resolveInside(root, img.referenceFile) : null;
          referenceId = store.datasets.addReference(datasetId, img.reference, refPath);
          refIds.set(img.reference, referenceId);
        }
      }
      const probe = probes[i];
      const imageId = store.datasets.addImage(datasetId, {
        path: resolveInside(root, img.file)!,
        name: img.file.replace(/\\/g, '/'),
        referenceId,
        distortion: img.distortion ?? null,
        level: img.level ?? null,
        ...(probe ?? {}),
      });
      if (probe?.error) unreadable.push({ file: img.file, error: probe.error });
      store.datasets.setLabel(imageId, img.score, 'imported', img.std ?? null);
      for (const [split, part] of Object.entries(img.splits ?? {})) {
        const m = splitMembers.get(split) ?? new Map<number, SplitPart>();
        m.set(imageId, part);
        splitMembers.set(split, m);
      }
    });
    for (const [name, members] of splitMembers) {
      store.splits.save(datasetId, name, name === 'official_split' ? 'official' : 'imported', null, members);
    }
    return { datasetId, images: parsed.images.length, references: refIds.size, splits: [...splitMembers.keys()].sort(), unreadable };
  });
}
