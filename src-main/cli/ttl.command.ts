// `iqa ttl`: TTL-IQA's whole chain on a dataset (DT-GAN → auxiliary dataset → SFTnet stage 1 → stage 2) against direct training.
import { resolve } from 'node:path';
import type { SplitMean, TtlChainResult } from '../../src-shared/api/schemas';
import { fromScratchWarnings } from '../../src-shared/models/from-scratch';
import { findDataset, withRuntime } from './datasets.command';
import { runJob } from './run-job';

export interface TtlFlags {
  scale: 'paper' | 'small' | 'tiny';
  levels: number;
  attention: boolean;
  direct: boolean;
  perType: boolean;
  pristine?: string;
  sftnetWeights?: string;
  vggWeights?: string;
  maxSide?: number;
  split?: string;
  splits: number;
  seed: number;
  optimizer?: 'sgd' | 'adam';
  dtganEpochs?: number;
  stage1Epochs?: number;
  stage2Epochs?: number;
  json: boolean;
  dataDir?: string;
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(4));
const fmtMean = (m: SplitMean | null | undefined) => (m ? `${m.mean.toFixed(4)} [${m.lo.toFixed(4)}, ${m.hi.toFixed(4)}]` : '–');

/** The chain's result as lines: each split's held-out SRCC/PLCC and, over several splits, the mean with its 95% interval. */
export function formatTtlResult(result: TtlChainResult): string {
  const lines: string[] = [];
  for (const s of result.splits) {
    lines.push(
      `${s.split}: DT-GAN run #${s.dtganRunId} → auxiliary dataset #${s.auxiliaryDatasetId} → SFTnet stage 1 run #${s.stage1RunId} → stage 2 run #${s.stage2RunId}`,
      `  held-out SRCC ${fmt(s.ttl.srcc)}  PLCC ${fmt(s.ttl.plcc)}  (TTL-IQA, transitive)`,
    );
    if (s.directRunId !== null) lines.push(`  held-out SRCC ${fmt(s.direct?.srcc)}  PLCC ${fmt(s.direct?.plcc)}  (direct, run #${s.directRunId})`);
  }
  const m = result.mean;
  if (m) {
    const n = m.ttl.srcc?.n ?? result.splits.length;
    lines.push(`mean of ${n} splits [95% t-interval]:`, `  TTL-IQA  SRCC ${fmtMean(m.ttl.srcc)}  PLCC ${fmtMean(m.ttl.plcc)}`);
    if (m.direct) lines.push(`  direct   SRCC ${fmtMean(m.direct.srcc)}  PLCC ${fmtMean(m.direct.plcc)}`);
    if (m.gain) lines.push(`  TTL-IQA − direct SRCC ${fmtMean(m.gain)}${m.gain.lo <= 0 && m.gain.hi >= 0 ? ' (within noise: the interval contains 0)' : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function ttlCommand(dataset: string, flags: TtlFlags): Promise<void> {
  // The auxiliary dataset is translated in this process ('auto' backend); training runs in worker threads.
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findDataset(rt, dataset);
    const epochs = (n: number | undefined) => (n === undefined ? {} : { epochs: n });
    const warnings = [
      ...fromScratchWarnings('dtgan', { scale: flags.scale, vggWeights: flags.vggWeights ?? null }).map((w) => `${w} Here: --vgg-weights FILE.`),
      ...fromScratchWarnings('sftnet', { scale: flags.scale, backboneWeights: flags.sftnetWeights ?? null }).map((w) => `${w} Here: --sftnet-weights FILE.`),
    ];
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const result = (await runJob(rt, 'ttl:start', {
      datasetId: ds.id,
      scale: flags.scale,
      levels: flags.levels,
      attention: flags.attention,
      compareDirect: flags.direct,
      perDistortionType: flags.perType,
      ...(flags.maxSide ? { maxSide: flags.maxSide } : {}),
      seed: flags.seed,
      splits: flags.splits,
      ...(flags.pristine ? { pristineFolder: resolve(flags.pristine) } : {}),
      ...(flags.sftnetWeights ? { sftnetWeights: resolve(flags.sftnetWeights) } : {}),
      ...(flags.vggWeights ? { vggWeights: resolve(flags.vggWeights) } : {}),
      ...(flags.split ? { split: flags.split } : {}),
      ...(flags.optimizer ? { optimizer: flags.optimizer } : {}),
      dtganHyper: epochs(flags.dtganEpochs),
      stage1Hyper: epochs(flags.stage1Epochs),
      stage2Hyper: epochs(flags.stage2Epochs),
    }, { quiet: flags.json })) as TtlChainResult;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    process.stdout.write(formatTtlResult(result));
  }, 'auto');
}
