// With onnxruntime-node missing, the inference engine falls back to tfjs and every scorer still scores (the package is an optional dependency).
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { resourcesDir } from '../../../../src-main/app/paths';
import { initBackend } from '../../../../src-main/iqa/backend';
import { initInference } from '../../../../src-main/iqa/onnx/engine';
import { meanPrediction } from '../../../../src-main/iqa/score/predict';
import { isPatchBatch, loadScorer, shippedCheckpoint } from '../../../../src-main/iqa/score/scorer';
import { assignWeights, loadCheckpoint } from '../../../../src-main/iqa/train/checkpoint';
import { getModel } from '../../../../src-main/iqa/registry';
import { fromNormalised } from '../../../../src-main/iqa/registry';

// What importing an optional dependency that npm did not install does.
vi.mock('onnxruntime-node', () => {
  throw Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from src-main/iqa/onnx/engine.ts"), { code: 'ERR_MODULE_NOT_FOUND' });
});

beforeAll(async () => {
  await initBackend('wasm');
});

describe('without onnxruntime-node', () => {
  it('starts tfjs as the inference engine and says why', async () => {
    const info = await initInference('auto');
    expect(info.engine).toBe('tfjs');
    expect(info.tried).toEqual([{ name: 'onnxruntime', ok: false, reason: 'onnxruntime-node is not installed' }]);
    await expect(initInference('onnxruntime')).rejects.toThrow(/ONNX Runtime could not start: onnxruntime-node is not installed/);
  });

  it('scores the shipped model through tfjs, as the tfjs model itself does', async () => {
    await initInference('auto');
    const checkpoint = shippedCheckpoint('hyperiqa')!;
    const scorer = await loadScorer({ checkpoint });
    const photo = join(resourcesDir(), 'demo', 'bee.jpg');
    try {
      expect(scorer.engine.name).toBe('tfjs');
      expect(scorer.engine.fallbackReason).toBe('onnxruntime-node is not installed');
      const batch = await scorer.prepare(photo);
      if (!isPatchBatch(batch)) throw new Error('HyperIQA should prepare crops');
      const got = await scorer.predict(batch);
      const ckpt = await loadCheckpoint(checkpoint);
      const spec = getModel(ckpt.meta.modelId);
      const model = spec.create(spec.configSchema.parse(ckpt.meta.modelConfig) as Record<string, unknown>, 1);
      assignWeights(model, ckpt.weights);
      const want = fromNormalised(meanPrediction(model, batch.data, batch.count, batch.patch), ckpt.meta.labels!.range, true);
      model.dispose();
      expect(got.score).toBeCloseTo(want, 6);
    } finally {
      scorer.dispose();
    }
  });
});
