// The bad-input corpus (tests/fixtures/bad-input, built by its make-corpus.mjs) fed to the real entry points: every
// file gets a clear error naming what is wrong and where; a bad image never stops a folder import; a refused dataset
// import leaves the database row for row as it was.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-shared/api/schemas';
import { probeImage } from '../../../src-main/imaging/probe';
import { extractPatches, uniformGrid } from '../../../src-main/imaging/patches';
import { loadRgb } from '../../../src-main/imaging/raw-image';
import { readSafetensors } from '../../../src-main/iqa/weights/safetensors';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { FIXTURES } from '../../helpers/fixture-copy';
import { writeTestImage } from '../../helpers/images';
import { tempDir } from '../../helpers/temp';
import { databaseOf } from '../../../src-main/store/store';

const CORPUS = join(FIXTURES, 'bad-input');

/** What an image should do: be refused at import with `probe`, or import (header readable) and decode or fail `decode`. */
interface ImageCase {
  probe?: RegExp;
  size?: { width: number; height: number; format: string };
  decode?: RegExp;
}
/** A generic-CSV import (range [1, 5]) over tests/fixtures/datasets/csv: refused with `error`, or imported as `labels`. */
interface CsvCase {
  error?: RegExp;
  labels?: [string, number][];
}

const IMAGES: Record<string, ImageCase> = {
  // The header is intact, so the import takes it with its size; the pixels are cut short, so decoding says so.
  'images/truncated.jpg': {
    size: { width: 48, height: 48, format: 'jpeg' },
    decode: /cannot decode \S*truncated\.jpg: VipsJpeg: premature end of JPEG image \(the file is truncated or corrupt\)/,
  },
  'images/truncated.png': {
    size: { width: 48, height: 48, format: 'png' },
    decode: /cannot decode \S*truncated\.png: vipspng: libpng read error \(the file is truncated or corrupt\)/,
  },
  'images/zero-bytes.jpg': { probe: /^empty file \(0 bytes\)$/, decode: /cannot decode \S*zero-bytes\.jpg: empty file \(0 bytes\)/ },
  'images/random-bytes.jpg': {
    probe: /^cannot read image: not an image this app can read \(unknown or unsupported format; files are decoded by their content/,
    decode: /cannot decode \S*random-bytes\.jpg: not an image this app can read/,
  },
  // Decoded by content, whatever the extension says.
  'images/png-named.jpg': { size: { width: 20, height: 12, format: 'png' } },
  // Refused on the size its header declares, before any pixel buffer is allocated.
  'images/huge-dimensions.png': {
    probe: /^cannot read image: image is 100000x100000 \(10000 megapixels\), over the 268402689-pixel limit$/,
    decode: /cannot decode \S*huge-dimensions\.png: image is 100000x100000 \(10000 megapixels\), over the 268402689-pixel limit/,
  },
  'images/text.png': { probe: /^cannot read image: not an image this app can read/, decode: /cannot decode \S*text\.png: not an image this app can read/ },
};

const CSVS: Record<string, CsvCase> = {
  'csv/wrong-columns.csv': { error: /wrong-columns\.csv lacks the columns "path", "score"; it has: "file", "mos"/ },
  'csv/nan-score.csv': { error: /1 problem; nothing was imported\.\n {2}nan-score\.csv, row 3: score "NaN" is not a number/ },
  'csv/empty-score.csv': { error: /1 problem; nothing was imported\.\n {2}empty-score\.csv, row 3: score "" is not a number/ },
  'csv/out-of-range-score.csv': { error: /\(rows of out-of-range-score\.csv\): 1 problem; nothing was imported\.\n {2}images\/b\.png, row 3: label 7 outside \[1, 5\]/ },
  // The same file twice, written alike and written differently (./images/b.png is images/b.png).
  'csv/duplicate-rows.csv': {
    error: /\(rows of duplicate-rows\.csv\): 2 problems; nothing was imported\.\n {2}images\/a\.png, row 4: listed twice \(first on row 2\)\n {2}\.\/images\/b\.png, row 5: listed twice \(first on row 3\)/,
  },
  'csv/path-traversal.csv': {
    error: /\(rows of path-traversal\.csv\): 2 problems; nothing was imported\.\n {2}\.\.\/\.\.\/etc\/passwd, row 3: path leaves the dataset folder or is absolute\n {2}images\/\.\.\/\.\.\/outside\.png, row 4: path leaves the dataset folder/,
  },
  'csv/absolute-path.csv': { error: /\(rows of absolute-path\.csv\): 1 problem; nothing was imported\.\n {2}\/etc\/passwd, row 3: path leaves the dataset folder or is absolute/ },
  // A byte-order mark and Windows line ends are ordinary: the header is found and no name keeps a stray \r.
  'csv/bom-crlf.csv': { labels: [['images/a.png', 3.5], ['images/b.png', 2.25], ['images/d.png', 1.5]] },
};

const SAFETENSORS: Record<string, RegExp> = {
  'safetensors/header-too-long.safetensors': /header-too-long\.safetensors: header length 4096 is larger than the file \(81 bytes\)/,
  'safetensors/header-not-json.safetensors': /header-not-json\.safetensors: header is not valid JSON \(/,
  'safetensors/offsets-outside-file.safetensors': /offsets-outside-file\.safetensors: tensor "w" data_offsets \[64, 80\] lie outside the data section \(16 bytes\)/,
  'safetensors/wrong-dtype.safetensors': /wrong-dtype\.safetensors: tensor "w" has unknown dtype "FLOAT32" \(known: F64, F32, F16, BF16,/,
  'safetensors/size-mismatch.safetensors': /size-mismatch\.safetensors: tensor "w" spans 16 bytes but shape \[2, 3\] of F32 needs 24/,
  'safetensors/overlapping-offsets.safetensors': /overlapping-offsets\.safetensors: tensors "a" and "b" overlap in the data section \(\[0, 8\] and \[4, 12\]\)/,
};

/** Corpus files (relative, / separated), the generator script aside. */
function corpusFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.filter((f) => f !== 'make-corpus.mjs').sort();
}

/** Every table of the database, rows sorted, plus the schema version: equal dumps mean an unchanged database. */
function dumpDatabase(rt: Runtime): Record<string, unknown> {
  const db = databaseOf(rt.ctx.store);
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const dump: Record<string, unknown> = { user_version: db.pragma('user_version', { simple: true }) };
  for (const t of tables) dump[t] = (db.prepare(`SELECT * FROM "${t.replace(/"/g, '""')}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort();
  return dump;
}

function tableSizes(dump: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(dump).filter(([, v]) => Array.isArray(v)).map(([k, v]) => [k, (v as unknown[]).length]));
}

/** Runs datasets:import through the dispatcher, as the CLI and both shells do, and waits for the job to end. */
async function importJob(rt: Runtime, input: Record<string, unknown>): Promise<JobInfo> {
  const ended = new Map<string, JobInfo>();
  let wake: (() => void) | null = null;
  const off = rt.services.events.subscribe((event, payload) => {
    const job = payload as JobInfo;
    if (event === 'jobs:progress' && job.state !== 'running') {
      ended.set(job.jobId, job);
      wake?.();
    }
  });
  try {
    const res = await rt.invoke('datasets:import', input);
    if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
    const { jobId } = res.result as JobInfo;
    while (!ended.has(jobId)) await new Promise<void>((r) => (wake = r));
    return ended.get(jobId)!;
  } finally {
    off();
  }
}

let rt: Runtime;
let folderJob: JobInfo;
const photos = join(tempDir('iqa-bad-input-'), 'photos');
const GOOD = ['good-1.png', 'good-2.jpg'];

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-bad-input-db-'), shell: 'serve', backend: false, seedDemo: false });
  // A photo folder holding every corpus image among good ones, imported the way a user does.
  mkdirSync(photos, { recursive: true });
  for (const file of Object.keys(IMAGES)) cpSync(join(CORPUS, file), join(photos, file.split('/').pop()!));
  for (const [i, name] of GOOD.entries()) await writeTestImage(join(photos, name), 16, 12, i + 1);
  folderJob = await importJob(rt, { format: 'folder', root: photos, name: 'photos with bad files' });
  return () => rt.close();
});

function folderResult() {
  return folderJob.result as { datasetId: number; imported: number; failed: { path: string; error: string }[] };
}

describe('the corpus', () => {
  it('has a row in the tables below for every file in the folder, and no row without a file', () => {
    const covered = [...Object.keys(IMAGES), ...Object.keys(CSVS), ...Object.keys(SAFETENSORS)].sort();
    expect(corpusFiles(CORPUS)).toEqual(covered);
  });

  it('is small and is what make-corpus.mjs writes', () => {
    const files = corpusFiles(CORPUS);
    const bytes = files.reduce((n, f) => n + readFileSync(join(CORPUS, f)).length, 0);
    expect(bytes).toBeLessThan(200_000);
    const out = tempDir('iqa-bad-input-regen-');
    execFileSync(process.execPath, [join(CORPUS, 'make-corpus.mjs'), out]);
    expect(corpusFiles(out)).toEqual(files);
    // Files sharp encodes may differ by a libvips version; everything written byte by byte must match exactly.
    const encodedBySharp = new Set(['images/truncated.jpg', 'images/truncated.png', 'images/png-named.jpg']);
    for (const f of files.filter((x) => !encodedBySharp.has(x))) expect(readFileSync(join(out, f)), f).toEqual(readFileSync(join(CORPUS, f)));
  });
});

describe('bad images', () => {
  it('do not stop a folder import: the good files import, each bad one is listed with its error', () => {
    expect(folderJob.state).toBe('done');
    const result = folderResult();
    const refused = Object.entries(IMAGES).filter(([, c]) => c.probe).map(([f]) => f.split('/').pop()!);
    expect(result.failed.map((f) => f.path.split('/').pop()).sort()).toEqual(refused.sort());
    expect(result.imported).toBe(GOOD.length + Object.keys(IMAGES).length - refused.length);
    const page = rt.ctx.store.datasets.listImages({ datasetId: result.datasetId, offset: 0, limit: 100, sort: 'name', descending: false });
    expect(page.total).toBe(GOOD.length + Object.keys(IMAGES).length);
    for (const name of GOOD) expect(page.items.find((i) => i.name === name)).toMatchObject({ width: 16, height: 12 });
  });

  it.each(Object.entries(IMAGES))('%s', async (file, c) => {
    const path = join(photos, file.split('/').pop()!);
    const probe = await probeImage(path);
    const failed = folderResult().failed.find((f) => f.path === path);
    if (c.probe) {
      expect(probe.error).toMatch(c.probe);
      expect(failed?.error).toMatch(c.probe);
    } else {
      expect(failed).toBeUndefined();
      expect(probe).toMatchObject({ ...c.size, error: null });
    }
    const rssBefore = process.memoryUsage().rss;
    const patches = { patch: 8, positions: (w: number, h: number) => uniformGrid(w, h, 8, 1) };
    if (c.decode) {
      await expect(loadRgb(path)).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(c.decode) });
      // The scorer's and the trainer's decode path says the same.
      await expect(extractPatches(path, patches)).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(c.decode) });
    } else {
      expect(await loadRgb(path)).toMatchObject({ width: c.size!.width, height: c.size!.height });
      expect((await extractPatches(path, patches)).count).toBe(1);
    }
    // Nothing tried to allocate the declared pixels (a 100000x100000 header would need 30 GB).
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });
});

describe('bad dataset CSVs', () => {
  const root = join(FIXTURES, 'datasets/csv');

  it.each(Object.entries(CSVS))('%s', async (file, c) => {
    const before = dumpDatabase(rt);
    expect(tableSizes(before).images).toBeGreaterThan(0); // the folder import above: "unchanged" is not "still empty"
    const job = await importJob(rt, { format: 'csv', root, file: join(CORPUS, file), name: file, scoreRange: [1, 5] });
    const after = dumpDatabase(rt);
    if (c.error) {
      expect(job.state).toBe('failed');
      expect(job.error).toMatchObject({ code: 'bad_input', message: expect.stringMatching(c.error) });
      expect(tableSizes(after)).toEqual(tableSizes(before));
      expect(after).toEqual(before);
    } else {
      expect(job.state, job.error?.message).toBe('done');
      const { datasetId, images } = job.result as { datasetId: number; images: number };
      expect(images).toBe(c.labels!.length);
      const page = rt.ctx.store.datasets.listImages({ datasetId, offset: 0, limit: 100, sort: 'name', descending: false });
      expect(page.items.map((i) => [i.name, i.label])).toEqual(c.labels);
      expect(page.items.every((i) => i.error === null)).toBe(true);
    }
  });
});

describe('bad .safetensors files', () => {
  it.each(Object.entries(SAFETENSORS))('%s', async (file, message) => {
    await expect(readSafetensors(join(CORPUS, file))).rejects.toMatchObject({ code: 'bad_input', message: expect.stringMatching(message) });
  });
});
