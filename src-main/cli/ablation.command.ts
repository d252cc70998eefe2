// `iqa ablation --config`: HIQA's ablation study from one base config: every row trained on the same splits, then a table of held-out SRCC/PLCC, the paired change against the first row with its interval, and how far G's hallucination moved toward the true reference.
import { AppError } from '../../src-shared/api/errors';
import type { ModelInfo } from '../../src-shared/api/schemas';
import type { CompareExperimentsResult } from '../../src-shared/api/stats-schemas';
import { noiseText } from '../../src-shared/metrics/noise-text';
import { spread } from '../../src-shared/metrics/index';
import { ablationVariantConfig, HIQA_ABLATION_PRESETS, type AblationVariant, type HiqaAblationPreset } from '../iqa/models/hiqa/hiqa.ablation';
import { findDataset, withRuntime } from './datasets.command';
import { invokeOrThrow } from './run-job';
import { configSplits, readConfig, trainOne } from './train.command';

export interface AblationFlags {
  config: string;
  preset: HiqaAblationPreset;
  only?: string;
  json: boolean;
  dataDir?: string;
}

export interface AblationRowResult {
  id: string;
  label: string;
  description: string;
  runs: { id: number; split: string | null }[];
  /** Medians over the splits of the last epoch's values (NaN when a run did not report one). */
  srcc: number;
  plcc: number;
  /** Hallucination PSNR (dB) against I_r on the fixed probe crops: G as initialised, after training, and I_d's own. */
  psnrInit: number;
  psnrEnd: number;
  psnrInput: number;
  /** Against the first row, split by split on shared test images (runs:compareExperiments, as the Ablation tab); null for the first row. */
  vsFirst: CompareExperimentsResult | null;
}

export function selectVariants(preset: HiqaAblationPreset, only: string | undefined): readonly AblationVariant[] {
  const all = HIQA_ABLATION_PRESETS[preset];
  if (!only) return all;
  const ids = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !all.some((v) => v.id === id));
  if (unknown.length) throw new AppError('validation', `Unknown ${preset} row(s) ${unknown.join(', ')}; known: ${all.map((v) => v.id).join(', ')}`);
  return all.filter((v) => ids.includes(v.id));
}

const median = (values: number[]) => spread(values).median;
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');

/**
 * The rows as a Markdown table. Δ SRCC is against the first row on the same pairs as its interval: the mean over the
 * splits both rows ran on of the per-split difference on shared test images (not a difference of medians).
 */
export function ablationMarkdown(rows: readonly AblationRowResult[]): string {
  const lines = [
    '| row | held-out SRCC (median) | PLCC (median) | Δ SRCC [95% CI] | noise | splits | hallucination PSNR start → end (dB) | I_d (dB) | runs |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r, i) => {
      const t = r.vsFirst ? noiseText(r.vsFirst.srcc) : null;
      const delta = i === 0 ? '' : t ? `${t.delta} ${t.interval}` : '—';
      const splits = i === 0 || !r.vsFirst ? String(r.runs.length) : `${r.vsFirst.srcc.splits.length} / ${r.runs.length}`;
      return `| ${r.label} | ${f3(r.srcc)} | ${f3(r.plcc)} | ${delta} | ${t?.verdict ?? ''} | ${splits} | ${f2(r.psnrInit)} → ${f2(r.psnrEnd)} | ${f2(r.psnrInput)} | ${r.runs.map((x) => x.id).join(', ')} |`;
    }),
  ];
  const leftOut = (r: AblationRowResult) => {
    const u = r.vsFirst!.unmatched;
    const parts = [u.runs.length ? `this row only: ${u.runs.join(', ')}` : '', u.baseline.length ? `first row only: ${u.baseline.join(', ')}` : ''].filter(Boolean);
    return parts.length ? ` (splits left out, ${parts.join('; ')})` : '';
  };
  const notes = rows.slice(1).flatMap((r) => (r.vsFirst ? [`- ${r.label}: ${noiseText(r.vsFirst.srcc).detail}${leftOut(r)}`] : []));
  const legend = 'Δ: per split both rows ran on, the two rows\' SRCC on the test images both predicted; the mean of those differences, with a paired bootstrap of the images within each split (95%).';
  return `${lines.join('\n')}\n${notes.length ? `\n${legend}\n${notes.join('\n')}\n` : ''}`;
}

export async function ablationCommand(flags: AblationFlags): Promise<void> {
  const base = await readConfig(flags.config);
  if (base.model !== 'hiqa') throw new AppError('validation', `iqa ablation runs HIQA's ablation study; the config's model is "${base.model}"`);
  const variants = selectVariants(flags.preset, flags.only);
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findDataset(rt, base.dataset);
    const splits = await configSplits(rt, ds.id, base);
    // Without `hyper.epochs` a run trains the model's default epochs, as `iqa train` does.
    const models = (await invokeOrThrow(rt, 'models:list', {})) as ModelInfo[];
    const baseEpochs = base.hyper.epochs ?? models.find((m) => m.id === 'hiqa')!.hyper.epochs;
    const rows: AblationRowResult[] = [];
    for (const v of variants) {
      const { modelConfig, epochs } = ablationVariantConfig(base.modelConfig, baseEpochs, v);
      const cfg = { ...base, name: `${base.name ?? 'HIQA ablation'} · ${v.label}`, modelConfig: modelConfig as typeof base.modelConfig, hyper: { ...base.hyper, epochs } };
      if (!flags.json) process.stderr.write(`${v.label}: ${v.description} (${epochs} epochs × ${splits.length} split(s))\n`);
      const done = [];
      for (const split of splits) done.push(await trainOne(rt, cfg, ds.id, split, flags.json));
      const init = done.map((d) => d.run.metrics.find((m) => m.name === 'hallucination_psnr_init')?.value ?? Number.NaN);
      rows.push({
        id: v.id,
        label: v.label,
        description: v.description,
        runs: done.map((d) => ({ id: d.run.id, split: d.run.config.split === undefined ? null : String(d.run.config.split) })),
        srcc: median(done.map((d) => d.metrics.srcc ?? Number.NaN)),
        plcc: median(done.map((d) => d.metrics.plcc ?? Number.NaN)),
        psnrInit: median(init),
        psnrEnd: median(done.map((d) => d.metrics.hallucination_psnr ?? Number.NaN)),
        psnrInput: median(done.map((d) => d.metrics.distorted_psnr ?? Number.NaN)),
        vsFirst: rows.length
          ? ((await invokeOrThrow(rt, 'runs:compareExperiments', { runs: done.map((d) => d.run.id), baseline: rows[0]!.runs.map((x) => x.id), resamples: 1000 })) as CompareExperimentsResult)
          : null,
      });
    }
    if (flags.json) return void process.stdout.write(`${JSON.stringify({ preset: flags.preset, dataset: ds.name, splits, rows })}\n`);
    process.stdout.write(ablationMarkdown(rows));
  });
}
