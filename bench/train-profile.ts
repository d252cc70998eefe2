// `npm run bench:profile`: which tfjs kernels take the time in one wasm training step (ResNet-50 HyperIQA, HIQA small, TTL SFTnet).
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend } from '../src-main/iqa/backend';
import { trainSteps, type TrainCase } from './train-steps';

interface KernelTotal { name: string; ms: number; calls: number; shapes: Map<string, { ms: number; calls: number }> }

/** Runs `step` once under tf.profile and sums kernel time by kernel name (and by input shapes, for the top kernels). */
export async function profileStep(step: () => void): Promise<{ totalMs: number; kernels: KernelTotal[] }> {
  const t0 = performance.now();
  const info = await tf.profile(step);
  const totalMs = performance.now() - t0;
  const byName = new Map<string, KernelTotal>();
  for (const k of info.kernels) {
    const ms = Number(await k.kernelTimeMs) || 0;
    const e = byName.get(k.name) ?? { name: k.name, ms: 0, calls: 0, shapes: new Map() };
    e.ms += ms;
    e.calls += 1;
    const key = k.inputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ');
    const s = e.shapes.get(key) ?? { ms: 0, calls: 0 };
    s.ms += ms;
    s.calls += 1;
    e.shapes.set(key, s);
    byName.set(k.name, e);
  }
  return { totalMs, kernels: [...byName.values()].sort((a, b) => b.ms - a.ms) };
}

async function main() {
  const { values } = parseArgs({ options: { case: { type: 'string' }, top: { type: 'string', default: '12' }, shapes: { type: 'string', default: '3' } } });
  await initBackend('wasm');
  const cases = trainSteps().filter((c: TrainCase) => !values.case || c.name.includes(values.case));
  for (const c of cases) {
    const run = c.setup();
    try {
      run.step(); // warm-up
      const { totalMs, kernels } = await profileStep(run.step);
      const kernelMs = kernels.reduce((a, k) => a + k.ms, 0);
      console.log(`\n${c.name}: step ${(totalMs / 1000).toFixed(2)} s, kernels ${(kernelMs / 1000).toFixed(2)} s`);
      for (const k of kernels.slice(0, Number(values.top))) {
        console.log(`  ${k.name.padEnd(28)} ${(k.ms / 1000).toFixed(3).padStart(8)} s ${((100 * k.ms) / kernelMs).toFixed(1).padStart(5)} %  ${String(k.calls).padStart(5)} calls`);
        const shapes = [...k.shapes.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(values.shapes));
        for (const [s, v] of shapes) console.log(`      ${(v.ms / 1000).toFixed(3).padStart(8)} s ×${v.calls} ${s}`);
      }
    } finally {
      run.dispose();
    }
  }
}

if (process.argv[1] && /train-profile/.test(process.argv[1])) await main();
