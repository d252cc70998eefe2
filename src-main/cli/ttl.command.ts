// `iqa ttl`: TTL-IQA's whole chain on a dataset (DT-GAN → auxiliary dataset → SFTnet stage 1 → stage 2) against direct training.
import { resolve } from 'node:path';
import type { TtlChainResult } from '../../src-shared/api/schemas';
import { findDataset, withRuntime } from './datasets.command';
import { runJob } from './run-job';

export interface TtlFlags {
  scale: 'paper' | 'small' | 'tiny';
  levels: number;
  attention: boolean;
  direct: boolean;
  perType: boolean;
  pristine?: string;
  maxSide: number;
  split?: string;
  seed: number;
  optimizer?: 'sgd' | 'adam';
  dtganEpochs?: number;
  stage1Epochs?: number;
  stage2Epochs?: number;
  json: boolean;
  dataDir?: string;
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(4));

export async function ttlCommand(dataset: string, flags: TtlFlags): Promise<void> {
  // The auxiliary dataset is translated in this process ('auto' backend); training runs in worker threads.
  await withRuntime(flags.dataDir, async (rt) => {
    const ds = await findDataset(rt, dataset);
    const epochs = (n: number | undefined) => (n === undefined ? {} : { epochs: n });
    const result = (await runJob(rt, 'ttl:start', {
      datasetId: ds.id,
      scale: flags.scale,
      levels: flags.levels,
      attention: flags.attention,
      compareDirect: flags.direct,
      perDistortionType: flags.perType,
      maxSide: flags.maxSide,
      seed: flags.seed,
      ...(flags.pristine ? { pristineFolder: resolve(flags.pristine) } : {}),
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
    process.stdout.write(
      `DT-GAN run #${result.dtganRunId} → auxiliary dataset #${result.auxiliaryDatasetId} → SFTnet stage 1 run #${result.stage1RunId} → stage 2 run #${result.stage2RunId}\n` +
        `held-out SRCC ${fmt(result.ttl?.srcc)}  PLCC ${fmt(result.ttl?.plcc)}  (TTL-IQA, transitive)\n`,
    );
    if (result.directRunId !== null) process.stdout.write(`held-out SRCC ${fmt(result.direct?.srcc)}  PLCC ${fmt(result.direct?.plcc)}  (direct, run #${result.directRunId})\n`);
  }, 'auto');
}
