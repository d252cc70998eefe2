// `iqa export`: a run, a checkpoint or a model with imported weights as a self-contained ONNX file.
import { AppError } from '../../src-shared/api/errors';
import { initBackend, type BackendChoice } from '../iqa/backend';
import { exportOnnx } from '../iqa/onnx/export';
import type { InputLayout } from '../iqa/onnx/builder';
import type { GraphKind } from '../iqa/onnx/build-graph';
import { checkpointOfRun } from './score.command';

export interface ExportFlags {
  out: string;
  model?: string;
  weights?: string;
  checkpoint?: string;
  run?: number;
  graph?: string;
  layout: InputLayout;
  json: boolean;
  dataDir?: string;
  backend: BackendChoice;
}

export function parseGraphKind(value: string): GraphKind {
  if (value === 'scores' || value === 'maps' || /^translate-[1-9]$/.test(value)) return value as GraphKind;
  throw new AppError('validation', `--graph must be scores, maps or translate-<level>, got "${value}"`);
}

export async function exportCommand(flags: ExportFlags): Promise<void> {
  if ([flags.weights, flags.checkpoint, flags.run].filter((v) => v !== undefined).length !== 1) {
    throw new AppError('validation', 'Give exactly one of --weights (with --model), --checkpoint and --run');
  }
  await initBackend(flags.backend);
  const checkpoint = flags.run !== undefined ? await checkpointOfRun(flags.run, flags.dataDir) : flags.checkpoint;
  const r = await exportOnnx(
    { ...(flags.model ? { model: flags.model } : {}), ...(checkpoint ? { checkpoint } : {}), ...(flags.weights ? { weights: flags.weights } : {}) },
    flags.out,
    { ...(flags.graph ? { graph: parseGraphKind(flags.graph) } : {}), layout: flags.layout },
  );
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const io = (list: typeof r.inputs) => list.map((v) => `${v.name} [${v.shape.join(', ')}]`).join(', ');
  const protocol = JSON.parse(r.metadata.protocol ?? '{}') as { patch?: number; testCrops?: number; imagenet?: boolean };
  process.stdout.write(
    [
      `${r.file}: ${r.modelId} ${r.graph}, ${(r.bytes / 2 ** 20).toFixed(1)} MiB, ONNX opset ${r.opset} (IR ${r.irVersion}), weights inside`,
      `  inputs   ${io(r.inputs)}`,
      `  outputs  ${io(r.outputs)}`,
      ...(r.graph === 'scores'
        ? [`  feed ${protocol.patch}x${protocol.patch} RGB crops, pixels/255${protocol.imagenet ? ' then ImageNet mean/std' : ''}; the image score is the mean over ${protocol.testCrops} grid crops${r.metadata.labels && r.metadata.labels !== 'null' ? ` mapped to the labels' scale (metadata "labels")` : ''}`]
        : []),
    ].join('\n') + '\n',
  );
}
