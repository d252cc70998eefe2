// Static int8 quantisation of our graphs: the plan (every weighted conv, residual sums), weight and activation parameters, and the shipped model scoring through its cached int8 graph as fp32 does.
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../../src-main/iqa/backend';
import { buildGraph } from '../../../../src-main/iqa/onnx/build-graph';
import { initInference } from '../../../../src-main/iqa/onnx/engine';
import { decodeModel } from '../../../../src-main/iqa/onnx/onnx-proto';
import { activationParams, planQuantization, quantizeWeights } from '../../../../src-main/iqa/onnx/quantize';
import { getModel } from '../../../../src-main/iqa/registry';
import { loadScorer, shippedCheckpoint } from '../../../../src-main/iqa/score/scorer';
import { resourcesDir } from '../../../../src-main/app/paths';
import { tempDir } from '../../../helpers/temp';

beforeAll(async () => {
  await initBackend('wasm');
  await initInference('onnxruntime');
});
afterAll(async () => {
  await initInference('auto');
});

describe('int8 quantisation plan and parameters', () => {
  it('quantises every backbone conv of HyperIQA-ResNet-18 and both inputs of each residual sum; the hyper network and LDA convs stay float', () => {
    const spec = getModel('hyperiqa');
    const config = spec.configSchema.parse({ backbone: 'resnet18' }) as Record<string, unknown>;
    const model = spec.create(config, 1);
    const graph = decodeModel(buildGraph(spec, model, 'scores', config));
    model.dispose();
    const plan = planQuantization(graph);
    const convs = graph.graph.node.filter((n) => n.op_type === 'Conv');
    const backbone = convs.filter((c) => c.name.startsWith('res.') && !c.name.startsWith('res.lda'));
    expect(backbone).toHaveLength(20);
    expect(plan.convs.sort()).toEqual(backbone.map((c) => c.name).sort());
    const act = new Set(plan.activations);
    for (const c of backbone) expect(act.has(c.input[0]!)).toBe(true);
    const residual = graph.graph.node.filter((n) => n.op_type === 'Add' && n.name.length && n.input.every((i) => graph.graph.node.some((m) => m.output.includes(i) && ['Conv', 'Relu', 'MaxPool'].includes(m.op_type))));
    expect(residual.length).toBe(8);
    for (const a of residual) for (const i of a.input) expect(act.has(i)).toBe(true);
  });

  it('keeps weights within half a step per output channel and gives ReLU ranges zero point 0', () => {
    const w = Float32Array.from([0.5, -1, 0.25, 0, 0.01, -0.02, 0.03, 0.04]);
    const { q, scales } = quantizeWeights(w, 2);
    expect(scales[0]).toBeCloseTo(1 / 127, 9);
    expect(scales[1]).toBeCloseTo(0.04 / 127, 9);
    w.forEach((v, i) => expect(Math.abs(q[i]! * scales[i < 4 ? 0 : 1]! - v)).toBeLessThanOrEqual(scales[i < 4 ? 0 : 1]! / 2 + 1e-9));
    expect(activationParams(0, 2.55).zeroPoint).toBe(0);
    expect(activationParams(0, 2.55).scale).toBeCloseTo(0.01, 12);
    const p = activationParams(-1, 3);
    expect(p.zeroPoint).toBe(64);
    expect(Math.abs(p.scale * (0 - p.zeroPoint) + 1)).toBeLessThan(p.scale);
  });
});

describe('scoring with the int8 graph', () => {
  const checkpoint = join(tempDir(), 'hyperiqa');
  cpSync(shippedCheckpoint('hyperiqa')!, checkpoint, { recursive: true, filter: (src) => !src.endsWith('/hyperiqa/onnx') });
  const photos = ['bee.jpg', 'cheetah.jpg', 'crab.jpg'].map((f) => join(resourcesDir(), 'demo', f));

  it('builds the int8 graph once beside the checkpoint and scores within 0.05 MOS of fp32', async () => {
    const int8 = await loadScorer({ checkpoint, precision: 'int8' });
    const fp32 = await loadScorer({ checkpoint });
    try {
      expect(int8.engine.fallbackReason).toBeUndefined();
      expect(int8.engine.label).toMatch(/ · int8$/);
      expect(fp32.engine.label).not.toMatch(/int8/);
      const graphs = readdirSync(join(checkpoint, 'onnx')).filter((f) => f.startsWith('scores-int8-') && f.endsWith('.onnx'));
      expect(graphs).toHaveLength(1);
      const q = decodeModel(new Uint8Array(readFileSync(join(checkpoint, 'onnx', graphs[0]!))));
      expect(q.graph.node.filter((n) => n.op_type === 'QuantizeLinear').length).toBeGreaterThan(10);
      expect(q.metadata_props.find((m) => m.key === 'quantization')?.value).toMatch(/int8 symmetric per channel/);
      for (const p of photos) expect(Math.abs((await int8.scoreFile(p)).score - (await fp32.scoreFile(p)).score)).toBeLessThan(0.05);
      const built = statSync(join(checkpoint, 'onnx', graphs[0]!)).mtimeMs;
      (await loadScorer({ checkpoint, precision: 'int8' })).dispose();
      expect(statSync(join(checkpoint, 'onnx', graphs[0]!)).mtimeMs).toBe(built);
    } finally {
      int8.dispose();
      fp32.dispose();
    }
  });

  it('runs fp32 and says why when the int8 graph was refused for changing the ranking', async () => {
    const other = join(tempDir(), 'hyperiqa-refused');
    cpSync(shippedCheckpoint('hyperiqa')!, other, { recursive: true, filter: (src) => !src.endsWith('/hyperiqa/onnx') });
    (await loadScorer({ checkpoint: other })).dispose();
    const fp32 = readdirSync(join(other, 'onnx')).find((f) => /^scores-[0-9a-f]{20}\.onnx$/.test(f))!;
    // The refusal as int8Graph records it, under the int8 graph's key (found by building it in the first folder).
    const int8 = readdirSync(join(checkpoint, 'onnx')).find((f) => f.startsWith('scores-int8-') && f.endsWith('.onnx'))!;
    expect(fp32).toBeDefined();
    writeFileSync(join(other, 'onnx', int8.replace(/\.onnx$/, '.refused.json')), JSON.stringify({ reason: 'its crop scores rank as fp32\'s with Spearman 0.9000 < 0.995 on held-out photos' }));
    const scorer = await loadScorer({ checkpoint: other, precision: 'int8' });
    try {
      expect(scorer.engine.label).toMatch(/ · fp32 \(int8 refused: its crop scores rank as fp32's with Spearman 0\.9000/);
      expect(readdirSync(join(other, 'onnx')).some((f) => f.startsWith('scores-int8-') && f.endsWith('.onnx'))).toBe(false);
    } finally {
      scorer.dispose();
    }
  });
});
