// PyTorch checkpoints read without PyTorch: zip and legacy formats, odd layouts and dtypes, refusal of pickled code,
// and a HyperIQA state dict in both formats scoring like the official forward (fixtures: tests/fixtures/torch-checkpoints).
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/iqa/backend';
import { createHyperIqa, hyperiqaSpec, loadOfficialWeights } from '../../../src-main/iqa/models/hyperiqa.arch';
import { cutPatches, decodeForModel } from '../../../src-main/imaging/patches';
import { readWeightsFile } from '../../../src-main/iqa/weights/read-weights';
import { HYPERIQA_PARITY_DIR } from '../../helpers/hyperiqa-fixture';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'torch-checkpoints');
const at = (f: string) => path.join(DIR, f);

describe('PyTorch checkpoint reader', () => {
  const expected = JSON.parse(readFileSync(at('formats.json'), 'utf8')) as Record<string, { shape: number[]; dtype: string; values: number[] }>;
  const DTYPES: Record<string, string> = { float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', uint8: 'U8', bool: 'BOOL' };

  for (const [file, format] of [['formats.pth', 'torch-zip'], ['formats-legacy.pkl', 'torch-legacy']] as const) {
    it(`${file}: every tensor, view and dtype as PyTorch wrote it; the wrapper's plain entries kept`, async () => {
      const w = await readWeightsFile(at(file));
      expect(w.format).toBe(format);
      expect(w.stateDictKey).toBe('state_dict');
      expect(w.extras).toEqual({ epoch: 3, best_srcc: 0.9125, name: 'formats' });
      expect([...w.tensors.keys()]).toEqual(Object.keys(expected));
      for (const [name, want] of Object.entries(expected)) {
        const t = w.tensors.get(name)!;
        expect(t.shape, name).toEqual(want.shape);
        expect(t.dtype, name).toBe(DTYPES[want.dtype]);
        const got = Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
        // Floats come back as F32 (F64 rounded), like the safetensors reader.
        expect(got, name).toEqual(want.values.map((v) => (t.dtype === 'F64' ? Math.fround(v) : v)));
      }
      expect(w.sha256).toBe(createHash('sha256').update(readFileSync(at(file))).digest('hex'));
    });
  }

  for (const file of ['evil.pth', 'evil-legacy.pkl']) {
    it(`${file}: a pickle that would call os.system is refused by name, and nothing runs`, async () => {
      await expect(readWeightsFile(at(file))).rejects.toThrow(/"posix\.system", which is not a tensor or a container/);
      expect(existsSync('/tmp/iqa-evil-pickle-ran')).toBe(false);
    });
  }

  it('a truncated checkpoint and a file of another kind get clear errors', async () => {
    const dir = tempDir('torch-bad-');
    const bytes = readFileSync(at('formats-legacy.pkl'));
    writeFileSync(path.join(dir, 'cut.pkl'), bytes.subarray(0, bytes.length - 40));
    await expect(readWeightsFile(path.join(dir, 'cut.pkl'))).rejects.toThrow(/cut\.pkl: .*(truncated|ends early)/);
    const zip = readFileSync(at('formats.pth'));
    writeFileSync(path.join(dir, 'cut.pth'), zip.subarray(0, zip.length - 100));
    await expect(readWeightsFile(path.join(dir, 'cut.pth'))).rejects.toThrow(/cut\.pth: .*(end-of-directory|truncated)/);
    writeFileSync(path.join(dir, 'notes.txt'), 'hello, these are not weights');
    await expect(readWeightsFile(path.join(dir, 'notes.txt'))).rejects.toThrow(/notes\.txt: not a weights file/);
    await expect(readWeightsFile(path.join(dir, 'missing.pth'))).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });
});

describe('HyperIQA weights from PyTorch files score like the official forward', () => {
  const want = JSON.parse(readFileSync(at('hyperiqa-small.json'), 'utf8')) as { images: string[]; scores: Record<string, number>; dtypes: Record<string, number> };
  let batch: tf.Tensor4D;

  beforeAll(async () => {
    await initBackend('wasm');
    const pixels = await Promise.all(
      want.images.map(async (name) => cutPatches(await decodeForModel(path.join(HYPERIQA_PARITY_DIR, name)), [{ x: 0, y: 0 }], 224, { imagenet: true })),
    );
    const data = new Float32Array(pixels.length * 224 * 224 * 3);
    pixels.forEach((p, i) => data.set(p, i * p.length));
    batch = tf.tensor4d(data, [pixels.length, 224, 224, 3]);
  }, 60_000);
  afterAll(async () => {
    batch?.dispose();
    await initBackend('cpu');
  });

  for (const file of ['hyperiqa-small.pth', 'hyperiqa-small-legacy.pkl']) {
    it(`${file} (F16, BF16, F32 and I64 tensors) scores within 2e-4`, async () => {
      const w = await readWeightsFile(at(file));
      const dtypes = new Set([...w.tensors.values()].map((t) => t.dtype));
      expect([...dtypes].sort()).toEqual(['BF16', 'F16', 'F32', 'I64']);
      const model = createHyperIqa(hyperiqaSpec.configSchema.parse({ backbone: 'small' }), 1);
      try {
        loadOfficialWeights(model, w.tensors);
        const y = model.forwardRaw(batch);
        const scores = Array.from(await y.data());
        y.dispose();
        want.images.forEach((name, i) => {
          expect(Math.abs(scores[i]! - want.scores[name]!), `${name}: got ${scores[i]}, expected ${want.scores[name]}`).toBeLessThanOrEqual(2e-4);
        });
      } finally {
        model.dispose();
      }
    }, 60_000);
  }
});
