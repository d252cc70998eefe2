// HyperIQA on ONNX Runtime: the parity fixture of the official PyTorch code through the built graph, and ORT against tfjs for every backbone.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutPatches, decodeForModel } from '../../../../src-main/imaging/patches';
import { initBackend } from '../../../../src-main/iqa/backend';
import { createHyperIqa, hyperiqaSpec, loadOfficialWeights, type HyperIqaModel } from '../../../../src-main/iqa/models/hyperiqa.arch';
import type { ModelSpec } from '../../../../src-main/iqa/models/model';
import { initInference } from '../../../../src-main/iqa/onnx/engine';
import { getModel } from '../../../../src-main/iqa/registry';
import { readSafetensors } from '../../../../src-main/iqa/weights/safetensors';
import { randomBatch, runGraph, scoresBothWays } from '../../../helpers/onnx-parity';
import { HYPERIQA_PARITY_DIR, parityExpected, writeParityWeights } from '../../../helpers/hyperiqa-fixture';
import { tempDir } from '../../../helpers/temp';

const spec = getModel('hyperiqa') as ModelSpec;

beforeAll(async () => {
  await initBackend('wasm');
  const inf = await initInference('onnxruntime');
  expect(inf.engine).toBe('onnxruntime');
});
afterAll(async () => {
  await initBackend('cpu');
});

describe('HyperIQA through ONNX Runtime', () => {
  it('matches the official PyTorch code on the parity fixture within 2e-4 (ResNet-50, batch norm folded)', async () => {
    const weights = await writeParityWeights(tempDir('hyperiqa-onnx-'));
    const config = hyperiqaSpec.configSchema.parse({});
    const model = createHyperIqa(config, 1);
    try {
      loadOfficialWeights(model, await readSafetensors(weights.path));
      const expected = parityExpected().scores;
      const names = Object.keys(expected).sort();
      const data = new Float32Array(names.length * 224 * 224 * 3);
      for (const [i, name] of names.entries()) {
        data.set(cutPatches(await decodeForModel(path.join(HYPERIQA_PARITY_DIR, name)), [{ x: 0, y: 0 }], 224, { imagenet: true }), i * 224 * 224 * 3);
      }
      const { scores } = await runGraph(spec, model, config, 'scores', { patches: { data, dims: [names.length, 224, 224, 3] } });
      names.forEach((name, i) => expect(Math.abs(scores![i]! - expected[name]!), `${name}: ${scores![i]} vs ${expected[name]}`).toBeLessThanOrEqual(2e-4));
    } finally {
      model.dispose();
    }
  }, 240_000);

  for (const backbone of ['resnet18', 'small'] as const) {
    it(`equals the tfjs forward within 1e-5 (${backbone}, trained-like batch-norm statistics)`, async () => {
      const config = hyperiqaSpec.configSchema.parse({ backbone });
      const model = createHyperIqa(config, 7) as HyperIqaModel;
      try {
        // Non-trivial running statistics, so folding them into the convs is exercised.
        for (const [name, p] of model.params) {
          if (name.endsWith('running_var')) p.variable.assign(p.variable.mul(0).add(0.5 + Math.abs(Math.sin(name.length))));
          if (name.endsWith('running_mean')) p.variable.assign(p.variable.mul(0).add(0.1 * Math.cos(name.length)));
        }
        const { ort, tfjs, maxDiff } = await scoresBothWays(spec, model, config, randomBatch([3, 224, 224, 3], 11), [3, 224, 224, 3]);
        expect(ort.length).toBe(3);
        expect(new Set(Array.from(tfjs)).size, 'distinct inputs give distinct scores').toBe(3);
        expect(maxDiff, `ort ${Array.from(ort)} tfjs ${Array.from(tfjs)}`).toBeLessThanOrEqual(1e-5);
      } finally {
        model.dispose();
      }
    }, 120_000);
  }
});
