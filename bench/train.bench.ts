// `npm run bench:train`: wasm training steps before (legacy kernels) and after (fast kernels) in one run, with PyTorch's HyperIQA training step as the reference.
import * as tf from '@tensorflow/tfjs';
import { loadavg } from 'node:os';
import { initBackend } from '../src-main/iqa/backend';
import { registerWasmTrainingKernels, type TrainingKernels } from '../src-main/iqa/wasm-kernels';
import { startTorch } from './onnx.bench';
import { dtganCase, hiqaCase, hyperiqaCase, hyperiqaParallelCase, sftnetCase, type ParallelTrainCase, type TrainCase } from './train-steps';
import { measure, type BenchRow } from './types';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function timeCase(c: TrainCase, kernels: TrainingKernels, steps: number): Promise<BenchRow> {
  registerWasmTrainingKernels(kernels);
  const run = c.setup();
  try {
    run.step(); // warm-up
    const t = await measure(async () => {
      for (let i = 0; i < steps; i++) run.step();
    });
    const s = t.seconds / steps;
    const row: BenchRow = { name: `${c.name} [wasm, ${kernels === 'fast' ? 'after' : 'before'}]`, n: steps, rate: s, unit: 's/step', seconds: t.seconds, peakRssMb: t.peakRssMb, batch: c.items };
    log(`    ${row.name}: ${s.toFixed(2)} s/step (${(c.items / s).toFixed(3)} ${c.unit}/s)`);
    return row;
  } finally {
    run.dispose();
    registerWasmTrainingKernels('fast');
  }
}

/** A two-thread case (fast kernels; the replica thread has its own wasm backend). */
async function timeParallelCase(c: ParallelTrainCase, steps: number): Promise<BenchRow> {
  registerWasmTrainingKernels('fast');
  const run = await c.setup();
  try {
    await run.step(); // warm-up (and the replica's first weights)
    const t = await measure(async () => {
      for (let i = 0; i < steps; i++) await run.step();
    });
    const s = t.seconds / steps;
    const row: BenchRow = { name: `${c.name} [wasm, after]`, n: steps, rate: s, unit: 's/step', seconds: t.seconds, peakRssMb: t.peakRssMb, batch: c.items };
    log(`    ${row.name}: ${s.toFixed(2)} s/step (${(c.items / s).toFixed(3)} ${c.unit}/s)`);
    return row;
  } finally {
    await run.dispose();
  }
}

export async function trainBench(quick: boolean): Promise<BenchRow[]> {
  await initBackend('wasm');
  log(`  load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const rows: BenchRow[] = [];
  const steps = quick ? 1 : 2;
  // Before: ResNet-50 at 1 crop per step (2 exhausted the heap); after: 8 crops per optimiser step in micro-batches.
  const resnetBefore = await timeCase(hyperiqaCase(1, 1), 'legacy', 1);
  const resnetAfter = await timeCase(hyperiqaCase(8, 2), 'fast', steps);
  const resnetThreads = await timeParallelCase(hyperiqaParallelCase(8, 2), steps);
  const torch = await startTorch(2, { OMP_NUM_THREADS: '2' });
  if (typeof torch === 'string') log(`  ${torch}`);
  else {
    try {
      const rate = await torch.time('hyperiqa-train', 8, quick ? 3 : 8);
      rows.push({ name: `hyperiqa resnet50 train step (8 crops) [PyTorch ${torch.version}]`, n: 8, rate: 8 / rate, unit: 's/step', seconds: 8 / rate, peakRssMb: 0, batch: 8 });
      for (const [label, row] of [['1 thread', resnetAfter], ['2 threads', resnetThreads]] as const) {
        const ours = 8 / row.rate;
        row.ratio = ours / rate;
        log(`    PyTorch HyperIQA train: ${rate.toFixed(3)} crops/s; wasm after (${label}) ${ours.toFixed(3)} crops/s = ${row.ratio.toFixed(3)}× PyTorch`);
      }
    } finally {
      torch.close();
    }
  }
  rows.push(resnetBefore, resnetAfter, resnetThreads);
  for (const c of [hiqaCase(2), sftnetCase(16), dtganCase(1)]) {
    const before = await timeCase(c, 'legacy', steps);
    const after = await timeCase(c, 'fast', steps);
    after.ratio = before.rate / after.rate;
    log(`    speed-up ${after.ratio.toFixed(2)}×`);
    rows.push(before, after);
  }
  log(`  load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  tf.disposeVariables();
  return rows;
}
