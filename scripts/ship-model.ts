// Copies a run's final checkpoint (weights only, no optimizer state) into resources/models/<model>/ with a model card.
// Usage: npx tsx scripts/ship-model.ts --data-dir DIR --run ID [--source "how the data was made"]
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resourcesDir } from '../src-main/app/paths';
import { initBackend } from '../src-main/iqa/backend';
import { getModel } from '../src-main/iqa/registry';
import { assignWeights, loadCheckpoint, saveCheckpoint } from '../src-main/iqa/train/checkpoint';
import { openStore } from '../src-main/store/store';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, run: { type: 'string' }, source: { type: 'string', default: '' } } });
if (!values['data-dir'] || !values.run) throw new Error('usage: ship-model.ts --data-dir DIR --run ID');
await initBackend('cpu');
const store = openStore(join(values['data-dir'], 'iqa.sqlite'));
const run = store.runs.get(Number(values.run));
if (!run?.checkpointPath) throw new Error(`run ${values.run} has no checkpoint`);
const metrics = store.runs.metrics(run.id);
const dataset = run.datasetId ? store.datasets.get(run.datasetId) : undefined;
store.close();

const ckpt = await loadCheckpoint(run.checkpointPath);
const spec = getModel(ckpt.meta.modelId);
const model = spec.create(spec.configSchema.parse(ckpt.meta.modelConfig), 1);
assignWeights(model, ckpt.weights);
const tmp = mkdtempSync(join(tmpdir(), 'iqa-ship-'));
const saved = await saveCheckpoint(tmp, { modelId: ckpt.meta.modelId, modelConfig: ckpt.meta.modelConfig, epoch: ckpt.meta.epoch, metrics: ckpt.meta.metrics, ...(ckpt.meta.labels ? { labels: ckpt.meta.labels } : {}) }, model);
const out = join(resourcesDir(), 'models', ckpt.meta.modelId);
rmSync(out, { recursive: true, force: true });
cpSync(saved.path, out, { recursive: true });
rmSync(tmp, { recursive: true, force: true });
model.dispose();
tf.dispose(Object.values(ckpt.weights));

const byEpoch = new Map<number, Record<string, number>>();
for (const m of metrics) {
  if (m.epoch === null) continue;
  byEpoch.set(m.epoch, { ...(byEpoch.get(m.epoch) ?? {}), [m.name]: m.value });
}
const cols = ['train_loss', 'srcc', 'krcc', 'plcc', 'plcc_fitted', 'rmse'];
const table = [`| epoch | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---').join('|')}|`, ...[...byEpoch].sort(([a], [b]) => a - b).map(([e, m]) => `| ${e} | ${cols.map((c) => (m[c] === undefined ? '' : m[c]!.toFixed(4))).join(' | ')} |`)];
const lastEpoch = Math.max(...byEpoch.keys());
const perType = Object.entries(byEpoch.get(lastEpoch) ?? {}).filter(([k]) => k.startsWith('srcc/')).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `| ${k.slice(5)} | ${v.toFixed(3)} |`);
writeFileSync(
  join(out, 'MODEL.md'),
  `# Shipped ${spec.label}

The model \`iqa score\` uses by default for \`${spec.id}\` (and the app for its demo). Trained here, from scratch, on a CPU.

- Architecture: ${spec.citation}; config \`${JSON.stringify(ckpt.meta.modelConfig)}\`
- Training run config (resolved): \`${JSON.stringify((run.config as { hyper?: unknown }).hyper ?? {})}\`
- Data: ${dataset ? `"${dataset.name}", ${dataset.imageCount} images of ${dataset.referenceCount} references` : 'see the run'}${values.source ? `; ${values.source}` : ''}
- Split: \`${String((run.config as { split?: unknown }).split)}\`: 80/20 by reference content, so the test photos were never seen in training.
- Scores come back on the training labels' scale: ${ckpt.meta.labels ? `${ckpt.meta.labels.kind.toUpperCase()} ${ckpt.meta.labels.range.join('-')}, ${ckpt.meta.labels.higherIsBetter ? 'higher' : 'lower'} is better` : 'raw'}.
- Weights: \`weights.bin\` (float32, tfjs weight format), sha256 \`${saved.sha256}\`.

## Held-out-reference metrics per epoch (test side of the split)

${table.join('\n')}

## SRCC per distortion type (last epoch)

| type | SRCC |
|---|---|
${perType.join('\n')}

These labels are a pseudo-MOS computed from full-reference metrics (see the synthetic builder's README), not human
opinions: the figures say how well the model ranks distortion strength on unseen photos, not how it agrees with people.
`,
);
console.log(`shipped run ${run.id} (epoch ${ckpt.meta.epoch}) to ${out}`);
