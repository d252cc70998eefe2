// `iqa import`, `iqa datasets` and `iqa splits`: dataset management from the command line.
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { AppError } from '../../src-shared/api/errors';
import type { DatasetSummary, SplitSummary } from '../../src-shared/api/schemas';
import type { BackendChoice } from '../iqa/backend';
import { openRuntime, type Runtime } from '../runtime';
import { invokeOrThrow, runJob } from './run-job';
import { termPad, termSafe } from './term';

export interface ImportFlags {
  format: string;
  name?: string;
  file?: string;
  range?: [number, number];
  lowerBetter?: boolean;
  recursive: boolean;
  json: boolean;
  dataDir?: string;
}

export function parseRange(value: string): [number, number] {
  const parts = value.split(',').map((v) => Number(v.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n)) || parts[0]! >= parts[1]!) {
    throw new InvalidArgumentError('expected LOW,HIGH with LOW < HIGH, e.g. 1,5');
  }
  return [parts[0]!, parts[1]!];
}

export async function withRuntime<T>(dataDir: string | undefined, fn: (rt: Runtime) => Promise<T>, backend: BackendChoice | false = false): Promise<T> {
  const rt = await openRuntime({ dataDir, shell: 'cli', backend, seedDemo: false });
  try {
    return await fn(rt);
  } finally {
    rt.close();
  }
}

export async function importCommand(folder: string, flags: ImportFlags): Promise<void> {
  const root = resolve(folder);
  const name = flags.name ?? root.split(/[\\/]/).filter(Boolean).pop() ?? 'dataset';
  await withRuntime(flags.dataDir, async (rt) => {
    const result = (await runJob(rt, 'datasets:import', {
      format: flags.format,
      root,
      name,
      recursive: flags.recursive,
      ...(flags.file ? { file: flags.file } : {}),
      ...(flags.range ? { scoreRange: flags.range } : {}),
      ...(flags.lowerBetter ? { higherIsBetter: false } : {}),
    })) as { datasetId: number; images?: number; imported?: number; unreadableCount?: number; report?: { id: string } };
    const ds = (await invokeOrThrow(rt, 'datasets:get', { id: result.datasetId })) as DatasetSummary;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ dataset: ds, ...result })}\n`);
      return;
    }
    const bad = result.unreadableCount ?? 0;
    process.stdout.write(
      `Imported "${termSafe(ds.name)}" (id ${ds.id}, ${flags.format}): ${ds.imageCount} images, ${ds.referenceCount} references, ` +
        `${ds.labelledCount} labelled${bad ? `, ${bad} unreadable (kept, marked with their error)` : ''}\n` +
        (result.report ? `The unreadable files are listed in ${join(rt.ctx.paths.dataDir, 'reports', `${result.report.id}.csv`)}\n` : ''),
    );
  });
}

export async function datasetsCommand(flags: { json: boolean; dataDir?: string }): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const list = (await invokeOrThrow(rt, 'datasets:list', {})) as DatasetSummary[];
    if (flags.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
    for (const d of list) {
      const label = d.labelKind === 'none' ? 'unlabelled' : `${d.labelKind} [${d.scoreMin}, ${d.scoreMax}] ${d.direction === 'higher_better' ? '↑' : '↓'}`;
      process.stdout.write(`${String(d.id).padStart(4)}  ${termPad(d.name, 28)} ${termPad(d.kind, 10)} ${String(d.imageCount).padStart(7)} images  ${label}\n`);
    }
  });
}

export async function findDataset(rt: Runtime, dataset: string | number): Promise<DatasetSummary> {
  const list = (await invokeOrThrow(rt, 'datasets:list', {})) as DatasetSummary[];
  const ds = list.find((d) => String(d.id) === String(dataset) || d.name === dataset);
  if (!ds) throw new AppError('not_found', `No dataset "${dataset}" (give its id or name; see iqa datasets)`);
  return ds;
}

export async function splitsCommand(
  dataset: string,
  flags: { train: number; val: number; repeats: number; seed: number; json: boolean; dataDir?: string },
): Promise<void> {
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findDataset(rt, dataset);
    const splits = (await invokeOrThrow(rt, 'splits:create', {
      datasetId: ds.id, trainRatio: flags.train, valRatio: flags.val, repeats: flags.repeats, seed: flags.seed,
    })) as SplitSummary[];
    if (flags.json) return void process.stdout.write(`${JSON.stringify(splits)}\n`);
    for (const s of splits) {
      process.stdout.write(`${termPad(s.name, 32)} ${termPad(s.protocol, 16)} train ${s.counts.train}  val ${s.counts.val}  test ${s.counts.test}\n`);
    }
  });
}
