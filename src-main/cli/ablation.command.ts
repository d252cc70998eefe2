// `iqa ablation --config`: HIQA's ablation study from one base config: every row trained on the same splits, then a table of held-out SRCC/PLCC and how far G's hallucination moved toward the true reference.
import { AppError } from '../../src-shared/api/errors';
import type { ModelInfo } from '../../src-shared/api/schemas';
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
const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}` : '—');

/** The rows as a Markdown table, deltas against the first row. */
export function ablationMarkdown(rows: readonly AblationRowResult[]): string {
  const first = rows[0];
  const lines = [
    '| row | held-out SRCC | PLCC | Δ SRCC | hallucination PSNR start → end (dB) | I_d (dB) | runs |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => {
      const delta = r === first ? '' : signed(r.srcc - first!.srcc);
      return `| ${r.label} | ${f3(r.srcc)} | ${f3(r.plcc)} | ${delta} | ${f2(r.psnrInit)} → ${f2(r.psnrEnd)} | ${f2(r.psnrInput)} | ${r.runs.map((x) => x.id).join(', ')} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
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
      });
    }
    if (flags.json) return void process.stdout.write(`${JSON.stringify({ preset: flags.preset, dataset: ds.name, splits, rows })}\n`);
    process.stdout.write(ablationMarkdown(rows));
  });
}
