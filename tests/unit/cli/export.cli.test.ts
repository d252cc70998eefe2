// `iqa export` as a user runs it: a self-contained .onnx (opset 17, weights inside) that ONNX Runtime loads from the file alone and that scores as `iqa score` does; ONNX's own checker accepts it where python3-onnx is installed.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractPatches, uniformGrid } from '../../../src-main/imaging/patches';
import type { ExportResult } from '../../../src-main/iqa/onnx/export';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);
const iqa = (...args: string[]) => run(process.execPath, [join(REPO_ROOT, 'bin/iqa.js'), ...args], { cwd: REPO_ROOT, maxBuffer: 16 * 2 ** 20 });
const SHIPPED = join(REPO_ROOT, 'resources', 'models', 'hyperiqa');
const PHOTO = join(REPO_ROOT, 'resources', 'demo', 'crab.jpg');

type Exported = Pick<ExportResult, 'file' | 'opset' | 'irVersion' | 'inputs' | 'outputs' | 'metadata'>;

describe('iqa export', () => {
  const dir = tempDir('iqa-export-');
  let nhwc: Exported;
  let nchw: Exported;
  let expected: number;

  beforeAll(async () => {
    nhwc = JSON.parse((await iqa('export', '--checkpoint', SHIPPED, '--out', join(dir, 'shipped.onnx'), '--json')).stdout) as Exported;
    nchw = JSON.parse((await iqa('export', '--checkpoint', SHIPPED, '--out', join(dir, 'shipped-nchw.onnx'), '--layout', 'nchw', '--json')).stdout) as Exported;
    expected = (JSON.parse((await iqa('score', '--checkpoint', SHIPPED, '--json', PHOTO)).stdout) as { score: number }).score;
  }, 180_000);

  it('writes the scoring graph with its opset, inputs, outputs and the input protocol in the metadata', () => {
    expect(existsSync(nhwc.file)).toBe(true);
    expect([nhwc.opset, nhwc.irVersion]).toEqual([17, 8]);
    expect(nhwc.inputs).toEqual([{ name: 'patches', shape: ['N', 224, 224, 3] }]);
    expect(nchw.inputs).toEqual([{ name: 'patches', shape: ['N', 3, 224, 224] }]);
    expect(nhwc.outputs).toEqual([{ name: 'scores', shape: ['N'] }]);
    expect(JSON.parse(nhwc.metadata.protocol!)).toMatchObject({ patch: 224, testCrops: 4, imagenet: true });
    expect(JSON.parse(nhwc.metadata.labels!)).toMatchObject({ range: [1, 5], higherIsBetter: true });
    expect(nhwc.metadata.modelId).toBe('hyperiqa');
  });

  it('loads in ONNX Runtime from the file alone and scores a photo as iqa score does, in either layout', async () => {
    const ort = await import('onnxruntime-node');
    const protocol = JSON.parse(nhwc.metadata.protocol!) as { patch: number; testCrops: number };
    const labels = JSON.parse(nhwc.metadata.labels!) as { range: [number, number] };
    const p = protocol.patch;
    const batch = await extractPatches(PHOTO, { patch: p, imagenet: true, positions: (w, h) => uniformGrid(w, h, p, protocol.testCrops) });
    const chw = new Float32Array(batch.data.length);
    for (let n = 0; n < batch.count; n++) for (let i = 0; i < p * p; i++) for (let c = 0; c < 3; c++) chw[n * p * p * 3 + c * p * p + i] = batch.data[n * p * p * 3 + i * 3 + c]!;
    for (const [file, data, dims] of [[nhwc.file, batch.data, [batch.count, p, p, 3]], [nchw.file, chw, [batch.count, 3, p, p]]] as const) {
      const session = await ort.InferenceSession.create(file);
      const out = (await session.run({ patches: new ort.Tensor('float32', data, dims) })).scores!.data as Float32Array;
      await session.release();
      const mean = out.reduce((a, b) => a + b, 0) / out.length;
      const score = labels.range[0] + mean * (labels.range[1] - labels.range[0]);
      expect(Math.abs(score - expected), file).toBeLessThanOrEqual(1e-4);
    }
  });

  it("passes ONNX's own checker with full shape inference (where python3-onnx is installed)", () => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' });
    if (probe.status !== 0) return void console.warn('python3-onnx is not installed: the ONNX checker was not run');
    const check = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys\nfor f in sys.argv[1:]:\n  onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok")', nhwc.file, nchw.file], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.stdout.trim()).toBe('ok');
  });

  it('refuses a graph the model does not have, and more than one weights source', async () => {
    const err = await iqa('export', '--checkpoint', SHIPPED, '--graph', 'maps', '--out', join(dir, 'x.onnx')).catch((e: { stderr: string }) => e);
    expect((err as { stderr: string }).stderr).toMatch(/Cannot export hyperiqa: hyperiqa does not hallucinate a reference/);
    const both = await iqa('export', '--checkpoint', SHIPPED, '--run', '1', '--out', join(dir, 'y.onnx')).catch((e: { stderr: string }) => e);
    expect((both as { stderr: string }).stderr).toMatch(/exactly one of --weights/);
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  });
});
