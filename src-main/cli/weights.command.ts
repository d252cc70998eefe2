// `iqa weights inspect|convert`: what a .safetensors/.pth/.pkl file holds, and PyTorch checkpoints to .safetensors.
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../../src-shared/api/errors';
import { readWeightsFile } from '../iqa/weights/read-weights';
import { writeSafetensors } from '../iqa/weights/safetensors';
import { summarizeWeights, toSafetensorsInput } from '../iqa/weights/weights-summary';
import { termPad, termSafe } from './term';

async function inspect(file: string, flags: { json: boolean; tensors: boolean }) {
  const s = summarizeWeights(await readWeightsFile(file), file);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(flags.tensors ? s : { ...s, tensors: undefined })}\n`);
    return;
  }
  const lines = [
    `file          ${termSafe(s.file)} (${(s.bytes / 1e6).toFixed(1)} MB)`,
    `format        ${s.format}${s.stateDictKey ? ` (state dict under '${termSafe(s.stateDictKey)}')` : ''}`,
    `sha256        ${s.sha256}`,
    `architecture  ${s.architecture ?? 'not recognised'}`,
    `tensors       ${s.tensorCount} (${Object.entries(s.dtypes).map(([d, n]) => `${n} ${d}`).join(', ')}), ${s.parameters.toLocaleString('en-US')} values`,
    ...Object.entries(s.extras).map(([k, v]) => `${termPad(termSafe(k), 13)} ${termSafe(String(v))}`),
  ];
  if (flags.tensors) for (const t of s.tensors) lines.push(`  ${termSafe(t.name)}  ${t.dtype}  [${t.shape.join(', ')}]`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function convert(file: string, out: string, flags: { force: boolean; json: boolean }) {
  if (!/\.safetensors$/i.test(out)) throw new AppError('validation', `output ${out} must end in .safetensors`);
  if (existsSync(out) && !flags.force) throw new AppError('conflict', `${out} exists; pass --force to replace it`);
  const w = await readWeightsFile(file);
  const { tensors, rounded } = toSafetensorsInput(w.tensors);
  await writeSafetensors(out, tensors, { source: basename(file), source_sha256: w.sha256, source_format: w.format });
  const result = { input: file, output: out, tensors: w.tensors.size, sourceSha256: w.sha256, roundedToF32: rounded };
  if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(`wrote ${termSafe(out)}: ${w.tensors.size} tensors from ${termSafe(basename(file))} (${w.format}, sha256 ${w.sha256.slice(0, 12)}…)\n`);
    if (rounded.length) process.stdout.write(`note: ${rounded.length} F64 tensor(s) rounded to F32: ${rounded.slice(0, 5).map((n) => termSafe(n)).join(', ')}\n`);
  }
}

export function weightsCommand(): Command {
  const cmd = new Command('weights').description('inspect weight files (.safetensors, PyTorch .pth/.pt/.pkl) and convert PyTorch checkpoints to .safetensors; pickled code is never run');
  cmd
    .command('inspect')
    .description('format, SHA-256, architecture guess, dtypes and tensor count of a weights file')
    .argument('<file>', 'weights file')
    .option('--tensors', 'list every tensor with dtype and shape', false)
    .option('--json', 'print JSON', false)
    .action(inspect);
  cmd
    .command('convert')
    .description('write the state dict of a PyTorch checkpoint (or any weights file) as .safetensors')
    .argument('<file>', 'input weights file')
    .argument('<out>', 'output .safetensors file')
    .option('--force', 'replace the output file', false)
    .option('--json', 'print JSON', false)
    .action(convert);
  return cmd;
}
