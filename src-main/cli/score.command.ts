// `iqa score`: scores image files and folders with a model, printing a table, JSON lines or CSV.
import { mkdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../src-shared/api/errors';
import { initBackend, type BackendChoice } from '../iqa/backend';
import { DEFAULT_MODEL } from '../iqa/default-model';
import { initInference } from '../iqa/onnx/engine';
import type { Measures } from '../iqa/quality/measures';
import { loadScorer, type CropMode, type Scorer } from '../iqa/score/scorer';
import { scoreInOrder } from '../iqa/score/pipelined';
import { MEASURE_CSV_COLUMNS, MEASURE_KEYS } from '../../src-shared/api/schemas';
import { listImageFiles } from '../imaging/scan';
import { openRuntime } from '../runtime';
import { csvLine } from '../../src-shared/csv';
import { termSafe } from './term';

export interface ScoreFlags {
  model?: string;
  weights?: string;
  checkpoint?: string;
  run?: number;
  crop: 'grid' | 'random' | 'none';
  crops?: number;
  seed: number;
  json: boolean;
  csv: boolean;
  recursive: boolean;
  saveMaps?: string;
  /** Score with the int8 graph on ONNX Runtime (where it keeps the fp32 ranking; the engine line says which ran). */
  int8?: boolean;
  backend: BackendChoice;
  dataDir?: string;
}

/** Files as given; folders expand to the images under them. Missing paths are reported, not fatal. */
export async function expandInputs(inputs: string[], recursive: boolean): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    const st = await stat(input).catch(() => null);
    if (!st) missing.push(input);
    else if (st.isDirectory()) files.push(...(await listImageFiles(input, recursive)));
    else files.push(input);
  }
  return { files, missing };
}

export async function checkpointOfRun(runId: number, dataDir: string | undefined): Promise<string> {
  const rt = await openRuntime({ dataDir, shell: 'cli', backend: false, seedDemo: false });
  try {
    const run = rt.ctx.store.runs.get(runId);
    if (!run) throw new AppError('not_found', `No run ${runId}`);
    if (!run.checkpointPath) throw new AppError('bad_input', `Run ${runId} has no checkpoint yet`);
    return run.checkpointPath;
  } finally {
    rt.close();
  }
}

/** Writes <name>.distorted.png, <name>.hallucinated.png and <name>.discrepancy.png (HIQA's views) into `dir`. */
export async function saveMaps(scorer: Scorer, path: string, dir: string): Promise<void> {
  if (!scorer.maps) throw new AppError('validation', `--save-maps needs a model that hallucinates a reference (hiqa); ${scorer.modelId} does not`);
  const m = await scorer.maps(path);
  const base = join(dir, basename(path, extname(path)));
  const raw = { raw: { width: m.width, height: m.height, channels: 3 as const } };
  await sharp(m.distorted, raw).png().toFile(`${base}.distorted.png`);
  await sharp(m.reference, raw).png().toFile(`${base}.hallucinated.png`);
  await sharp(m.discrepancy, raw).png().toFile(`${base}.discrepancy.png`);
}

export async function scoreCommand(inputs: string[], flags: ScoreFlags): Promise<void> {
  if ([flags.weights, flags.checkpoint, flags.run].filter((v) => v !== undefined).length > 1) {
    throw new AppError('validation', 'Give at most one of --weights, --checkpoint and --run');
  }
  if (flags.json && flags.csv) throw new AppError('validation', 'Choose --json or --csv, not both');
  const { files, missing } = await expandInputs(inputs, flags.recursive);
  if (flags.saveMaps) await mkdir(flags.saveMaps, { recursive: true });
  const checkpoint = flags.run !== undefined ? await checkpointOfRun(flags.run, flags.dataDir) : flags.checkpoint;
  // The default quality model runs in plain TypeScript; the deep models need a tensor backend and an inference engine.
  if (checkpoint || flags.weights || (flags.model ?? DEFAULT_MODEL) !== DEFAULT_MODEL) {
    await initBackend(flags.backend);
    await initInference();
  }
  const scorer = await loadScorer({
    ...(flags.model ? { model: flags.model } : {}),
    ...(checkpoint ? { checkpoint } : {}),
    ...(flags.weights ? { weights: flags.weights } : {}),
    ...(flags.int8 ? { precision: 'int8' as const } : {}),
  });
  const crop: CropMode =
    flags.crop === 'none' ? { kind: 'none' } : flags.crop === 'random' ? { kind: 'random', seed: flags.seed, ...(flags.crops ? { count: flags.crops } : {}) } : { kind: 'grid', ...(flags.crops ? { count: flags.crops } : {}) };
  const out = process.stdout;
  if (flags.csv) out.write(csvLine(['path', 'score', 'crops', 'error', ...MEASURE_CSV_COLUMNS]));
  else if (!flags.json) {
    const scale = scorer.labels ? `${scorer.labels.kind.toUpperCase()} ${scorer.labels.range.join('-')}, ${scorer.labels.higherIsBetter ? 'higher' : 'lower'} is better` : 'raw model output';
    process.stderr.write(`${scorer.modelId} (${scorer.source}); scores: ${scale}; crops: ${crop.kind}; on ${scorer.engine.label}\n`);
    if (scorer.engine.fallbackReason) process.stderr.write(`  not on ONNX Runtime: ${scorer.engine.fallbackReason}\n`);
  }
  let failed = missing.length;
  const round3 = (v: number) => Number(v.toFixed(3));
  const report = (path: string, score: number | null, crops: number, error?: string, measures?: Measures) => {
    if (flags.json) {
      const m = measures ? { measures: Object.fromEntries(MEASURE_KEYS.map((k) => [k, round3(measures[k])])) } : {};
      out.write(`${JSON.stringify(error ? { path, error } : { path, score, crops, ...m })}\n`);
    } else if (flags.csv) {
      out.write(csvLine([path, score, crops || null, error ?? null, ...MEASURE_KEYS.map((k) => (measures ? round3(measures[k]) : null))]));
    } else if (error) out.write(`${termSafe(path)}\terror: ${termSafe(error)}\n`);
    else {
      const m = measures
        ? `\tsharpness ${measures.sharpness.toFixed(0)}  noise ${measures.noise.toFixed(1)}  highlights ${measures.clippedHighlights.toFixed(1)}%  shadows ${measures.clippedShadows.toFixed(1)}%  luminance ${measures.meanLuminance.toFixed(0)}%  compression ${measures.compression.toFixed(2)}`
        : '';
      out.write(`${termSafe(path)}\t${score!.toFixed(4)}${m}\n`);
    }
  };
  for (const path of missing) report(path, null, 0, 'no such file or folder');
  try {
    for await (const r of scoreInOrder(scorer, files, crop)) {
      try {
        if ('error' in r) throw r.error;
        if (flags.saveMaps) await saveMaps(scorer, r.path, flags.saveMaps);
        report(r.path, r.score.score, r.score.crops, undefined, r.score.measures);
      } catch (err) {
        failed++;
        report(r.path, null, 0, AppError.from(err).message);
      }
    }
  } finally {
    scorer.dispose();
  }
  if (!files.length && !missing.length) throw new AppError('bad_input', 'No images found in the given paths');
  if (failed) process.exitCode = 1;
}
