// CNNIQA, HIQA, SFTnet and DT-GAN on ONNX Runtime: each graph's output equals the tfjs forward within 1e-5 (relative beyond 1; random weights, non-trivial batch-norm statistics).
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src-main/iqa/backend';
import type { HiqaModel } from '../../../../src-main/iqa/models/hiqa/hiqa.arch';
import type { IqaModel, ModelSpec } from '../../../../src-main/iqa/models/model';
import { initInference } from '../../../../src-main/iqa/onnx/engine';
import { buildGraph, NoGraph, type GraphKind } from '../../../../src-main/iqa/onnx/build-graph';
import { getModel } from '../../../../src-main/iqa/registry';
import { parityError, randomBatch, runGraph, scoresBothWays } from '../../../helpers/onnx-parity';
import { tempDir } from '../../../helpers/temp';

beforeAll(async () => {
  await initBackend('wasm');
  await initInference('onnxruntime');
});
afterAll(async () => {
  await initBackend('cpu');
});

/** Running statistics away from (0, 1), so folding them is exercised. */
function perturbStats(model: IqaModel): void {
  for (const [name, v] of model.weights()) {
    if (name.endsWith('running_var')) v.assign(tf.tidy(() => tf.randomUniform(v.shape, 0.5, 1.5, 'float32', name.length)));
    if (name.endsWith('running_mean')) v.assign(tf.tidy(() => tf.randomUniform(v.shape, -0.2, 0.2, 'float32', name.length + 1)));
  }
}

async function expectParity(id: string, raw: Record<string, unknown>, batch = 3, seed = 5) {
  const spec = getModel(id) as ModelSpec;
  const config = spec.configSchema.parse(raw) as Record<string, unknown>;
  const model = spec.create(config, seed);
  try {
    perturbStats(model);
    const p = spec.input(config).patch;
    const { ort, tfjs, maxDiff } = await scoresBothWays(spec, model, config, randomBatch([batch, p, p, 3], seed, 0, 1), [batch, p, p, 3]);
    expect(ort.length).toBe(batch);
    expect(new Set(Array.from(tfjs)).size, `${id}: distinct inputs give distinct scores`).toBe(batch);
    expect(maxDiff, `${id} ${JSON.stringify(raw)}: ort ${Array.from(ort)} tfjs ${Array.from(tfjs)}`).toBeLessThanOrEqual(1e-5);
  } finally {
    model.dispose();
  }
}

describe('ONNX graphs against the tfjs forward', () => {
  it('CNNIQA', () => expectParity('cnniqa', {}));
  it('CNNIQA, 48² crops and other widths', () => expectParity('cnniqa', { patch: 48, kernels: 16, hidden: 64 }));

  it('HIQA tiny: G (batch norm), discrepancy map and fusion into R', () => expectParity('hiqa', { scale: 'tiny' }));
  it('HIQA tiny: residual G without normalisation', () => expectParity('hiqa', { scale: 'tiny', generatorOutput: 'residual', generatorNorm: 'none' }));
  it('HIQA tiny: no discrepancy map (fusion only) and the BL regressor (neither)', async () => {
    await expectParity('hiqa', { scale: 'tiny', discrepancy: false });
    await expectParity('hiqa', { scale: 'tiny', discrepancy: false, fusion: false });
  });
  it('HIQA small at 160² crops', () => expectParity('hiqa', { scale: 'small', patch: 160 }, 2));

  it("HIQA's maps: G's reference and |I_d − G(I_d)| on a whole image, as hallucinate() gives them", async () => {
    const spec = getModel('hiqa') as ModelSpec;
    const config = spec.configSchema.parse({ scale: 'tiny' }) as Record<string, unknown>;
    const model = spec.create(config, 3) as HiqaModel;
    try {
      perturbStats(model);
      const [h, w] = [64, 96];
      const x = randomBatch([1, h, w, 3], 9, 0, 1);
      const out = await runGraph(spec, model, config, 'maps', { image: { data: x, dims: [1, h, w, 3] } });
      const t = tf.tidy(() => {
        const r = model.hallucinate(tf.tensor4d(x, [1, h, w, 3]));
        return { reference: r.reference.dataSync() as Float32Array, discrepancy: r.discrepancy.dataSync() as Float32Array };
      });
      for (const k of ['reference', 'discrepancy'] as const) {
        expect(out[k]!.length).toBe(h * w * 3);
        expect(parityError(out[k]!, t[k]), k).toBeLessThanOrEqual(1e-5);
      }
    } finally {
      model.dispose();
    }
  });

  it('HIQA in oracle mode has no scoring graph, and says why', () => {
    const spec = getModel('hiqa') as ModelSpec;
    const config = spec.configSchema.parse({ scale: 'tiny', oracle: true }) as Record<string, unknown>;
    const model = spec.create(config, 1);
    try {
      expect(() => buildGraph(spec, model, 'scores', config)).toThrow(NoGraph);
    } finally {
      model.dispose();
    }
  });

  it('SFTnet tiny, score head (64² → conv5_3 4×4, pool5 2×2 → adaptive 7×7)', () => expectParity('sftnet', { scale: 'tiny' }));
  it('SFTnet small, level head (the expected level as a score), SE-form SDA', () => expectParity('sftnet', { scale: 'small', stage: 'levels', sdaForm: 'se' }, 2));
  it('SFTnet tiny without the SDA block', () => expectParity('sftnet', { scale: 'tiny', attention: false }));

  it("DT-GAN: each level's translator equals translate() on an image", async () => {
    const spec = getModel('dtgan') as ModelSpec;
    const config = spec.configSchema.parse({ scale: 'tiny' }) as Record<string, unknown>;
    const model = spec.create(config, 4) as IqaModel & { translate(x: tf.Tensor4D, level: number): tf.Tensor4D };
    try {
      const [h, w] = [40, 56];
      const x = randomBatch([1, h, w, 3], 2, 0, 1);
      for (const level of [1, 3]) {
        const out = (await runGraph(spec, model, config, `translate-${level}`, { image: { data: x, dims: [1, h, w, 3] } })).translated!;
        const want = tf.tidy(() => model.translate(tf.tensor4d(x, [1, h, w, 3]), level).dataSync() as Float32Array);
        expect(out.length).toBe(h * w * 3);
        expect(parityError(out, want), `level ${level}`).toBeLessThanOrEqual(1e-5);
      }
      expect(() => buildGraph(spec, model, 'scores', config)).toThrow(/gives no score/);
    } finally {
      model.dispose();
    }
  });

  it("every builder's graphs pass ONNX's checker with full shape inference (where python3-onnx is installed)", () => {
    if (spawnSync('/usr/bin/python3', ['-c', 'import onnx']).status !== 0) return void console.warn('python3-onnx is not installed: the ONNX checker was not run');
    const dir = tempDir('iqa-onnx-check-');
    const cases: [string, Record<string, unknown>, GraphKind][] = [
      ['hyperiqa', { backbone: 'small' }, 'scores'], ['cnniqa', {}, 'scores'], ['hiqa', { scale: 'tiny' }, 'scores'], ['hiqa', { scale: 'tiny' }, 'maps'],
      ['sftnet', { scale: 'tiny', stage: 'levels' }, 'scores'], ['dtgan', { scale: 'tiny' }, 'translate-2'],
    ];
    const files = cases.map(([id, raw, kind], i) => {
      const spec = getModel(id) as ModelSpec;
      const config = spec.configSchema.parse(raw) as Record<string, unknown>;
      const model = spec.create(config, 1);
      const file = join(dir, `${i}-${id}-${kind}.onnx`);
      writeFileSync(file, buildGraph(spec, model, kind, config));
      model.dispose();
      return file;
    });
    const check = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys\nfor f in sys.argv[1:]:\n  onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok")', ...files], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.stdout.trim()).toBe('ok');
  });
});
