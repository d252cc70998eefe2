// Shared helpers of the standard-dataset importers: case-insensitive lookup in the dataset folder, required files, label checks.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../../../src-shared/api/errors';
import { resolveLabelFile, type LabelFile } from './label-file';
import type { ImportProblems } from './problems';
import type { ImporterOptions } from './types';

interface DirListing {
  fileNames: string[];
  files: Map<string, string>;
  dirs: Map<string, string>;
  exact: Set<string>;
}

/**
 * A dataset folder whose files are looked up the way the datasets' own loaders find them on case-insensitive
 * file systems (TID ships I01.BMP next to i25.bmp; BID names files .JPG): exact case first, else any case.
 */
export class DatasetFolder {
  private readonly listings = new Map<string, Promise<DirListing | null>>();

  constructor(readonly root: string) {}

  private list(dirRel: string): Promise<DirListing | null> {
    let p = this.listings.get(dirRel);
    if (!p) {
      p = readdir(join(this.root, dirRel), { withFileTypes: true }).then(
        (entries) => {
          const listing: DirListing = { fileNames: [], files: new Map(), dirs: new Map(), exact: new Set() };
          for (const e of entries) {
            listing.exact.add(e.name);
            const isFile = e.isFile() || e.isSymbolicLink();
            if (isFile) listing.fileNames.push(e.name);
            const target = e.isDirectory() ? listing.dirs : isFile ? listing.files : null;
            if (target && !target.has(e.name.toLowerCase())) target.set(e.name.toLowerCase(), e.name);
          }
          return listing;
        },
        () => null,
      );
      this.listings.set(dirRel, p);
    }
    return p;
  }

  private async resolve(rel: string, kind: 'file' | 'dir'): Promise<string | null> {
    const parts = rel.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');
    let cur = '';
    for (let i = 0; i < parts.length; i++) {
      const listing = await this.list(cur);
      if (!listing) return null;
      const last = i === parts.length - 1;
      const map = last && kind === 'file' ? listing.files : listing.dirs;
      const part = parts[i]!;
      const name = listing.exact.has(part) && map.get(part.toLowerCase()) !== undefined ? part : map.get(part.toLowerCase());
      if (!name) return null;
      cur = cur ? `${cur}/${name}` : name;
    }
    return cur;
  }

  /** The file's path relative to the root with its real case, or null when absent. */
  findFile(rel: string): Promise<string | null> {
    return this.resolve(rel, 'file');
  }

  findDir(rel: string): Promise<string | null> {
    return this.resolve(rel, 'dir');
  }

  /** The first candidate file that exists. */
  async findFirst(candidates: string[]): Promise<string | null> {
    for (const c of candidates) {
      const found = await this.findFile(c);
      if (found) return found;
    }
    return null;
  }

  /** The first candidate that exists, else a bad_input error naming the expected files and the layout. */
  async require(candidates: string[], dataset: string, layout: string): Promise<string> {
    const found = await this.findFirst(candidates);
    if (found) return found;
    throw new AppError(
      'bad_input',
      `Not a ${dataset} folder: ${this.root} has no ${candidates.map((c) => `"${c}"`).join(' or ')}. Expected the published layout: ${layout}`,
      { missing: candidates },
    );
  }

  /** File names (real case) directly inside a folder; empty when the folder is absent. */
  async filesIn(dirRel: string): Promise<string[]> {
    const dir = await this.findDir(dirRel);
    const listing = dir === null ? null : await this.list(dir);
    return listing ? [...listing.fileNames] : [];
  }
}

/** Checks a published label: a number inside the dataset's range; problems name the file and row. Returns the value. */
export function checkLabel(
  problems: ImportProblems,
  value: number,
  raw: unknown,
  range: [number, number],
  what: string,
  where: { file?: string; row?: number },
): number {
  if (!Number.isFinite(value)) problems.add(`${what} "${String(raw ?? '')}" is not a number`, where);
  else if (value < range[0] || value > range[1]) problems.add(`${what} ${value} is outside the published range [${range[0]}, ${range[1]}]`, where);
  return value;
}

/** Standard datasets fix their own scale; say so when the user passed one that differs. */
export function noteFixedScale(
  id: string,
  options: ImporterOptions,
  scale: { scoreRange: [number, number]; higherIsBetter: boolean; labelKind: 'mos' | 'dmos' },
  notes: string[],
): void {
  const r = options.scoreRange;
  if (r && (r[0] !== scale.scoreRange[0] || r[1] !== scale.scoreRange[1])) {
    notes.push(`the ${id} format fixes the score range [${scale.scoreRange.join(', ')}]; the range given [${r.join(', ')}] was ignored`);
  }
  if (options.higherIsBetter !== undefined && options.higherIsBetter !== scale.higherIsBetter) {
    notes.push(`the ${id} format fixes the direction (${scale.higherIsBetter ? 'higher' : 'lower'} is better); the direction given was ignored`);
  }
  if (options.labelKind && options.labelKind !== scale.labelKind) {
    notes.push(`the ${id} format fixes the label kind (${scale.labelKind}); the kind given was ignored`);
  }
}

export const NO_OFFICIAL_SPLIT = 'no official train/test split is published; make content-disjoint random splits (seeded, pyiqa-style names)';

/** The label file to read: the user's --file (relative to the root or absolute) when given, else the importer's own find; resolved and confined (label-file.ts). */
export async function labelFile(root: string, given: string | undefined, find: () => Promise<string>, options: ImporterOptions): Promise<LabelFile> {
  return resolveLabelFile(root, given ?? (await find()), options.fileRoots ?? null);
}

/** The real path of a file the importer found under the root (a second label file, a .mat), confined like the label file. */
export async function labelPath(root: string, rel: string, options: ImporterOptions): Promise<string> {
  return (await resolveLabelFile(root, rel, options.fileRoots ?? null)).path;
}
